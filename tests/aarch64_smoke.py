"""The chapter in brief, for tests/test_aarch64.py: set-up, the shape trace
and a few training steps on Fashion-MNIST; prints the results as JSON on
its last line.  The test runs it on aarch64 (emulated) and here, and
compares."""
import json
import platform
import sys

import d2l_local as d2l

STEPS = 8

d2l.setup(seed=0)
from mxnet import autograd, gluon, nd  # noqa: E402

net = d2l.lenet()
net.initialize()
X = nd.random.uniform(shape=(1, 1, 28, 28))
shapes = []
for layer in net:
    X = layer(X)
    shapes.append(X.shape)
    print(layer.name, 'output shape:\t', X.shape)

train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size=256)
loss = gluon.loss.SoftmaxCrossEntropyLoss()
trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.9})
losses = []
for _, (X, y) in zip(range(STEPS), test_iter):  # test_iter: never shuffled
    with autograd.record():
        l = loss(net(X), y).sum()
    l.backward()
    trainer.step(X.shape[0])
    losses.append(l.asscalar() / X.shape[0])
print(json.dumps({'machine': platform.machine(), 'python': sys.version,
                  'shapes': shapes, 'losses': losses}))
