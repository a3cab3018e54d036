"""What each notebook's tasks say and check without a framework, written
once for both editions.

One module per notebook (lenet, ex1, ... ex4): the prediction tasks, the
hint and solution texts the two editions share, the messages and the
checks on plain numbers, lists and arrays, and the task classes whose
grading differs only in what they call.  Each edition's side
(``d2l_local/mxnet/tasks/exN.py``, ``d2l_local/tasks/pytorch/exN.py``)
keeps what names its framework (nets, tensors, devices), builds its tasks
from these parts and exports the same names as before.  Nothing here
imports MXNet or PyTorch.
"""
