"""The tasks of the MXNet notebooks: `from d2l_local.tasks.lenet import *`
(their old path, kept) or `from d2l_local.mxnet.tasks.lenet import *`."""
