"""Predictions, the confusion matrix and the grid of mistakes (§6.6)."""
import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import pytest
from mxnet import nd
from mxnet.gluon import nn

import d2l_local as d2l
from d2l_local import ArrayIter

LABELS = ['zero', 'one', 'two']


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close('all')


class Brightness(nn.Block):
    """A fixed 'net': class = how bright the image is (dark 0 .. bright 2),
    so every prediction is known in advance."""

    def forward(self, X):
        mean = X.mean(axis=(1, 2, 3))
        scores = nd.stack(-(mean - 0.1).abs(), -(mean - 0.5).abs(),
                          -(mean - 0.9).abs(), axis=1)
        return scores


def images_of(levels):
    return np.stack([np.full((4, 4), level, np.uint8) for level in levels])


def test_predict_all_returns_labels_and_predictions_in_order():
    levels = [25, 128, 230, 230, 25, 128, 128]  # 0.1, 0.5, 0.9 of 255
    labels = np.array([0, 1, 2, 1, 0, 0, 1])
    data_iter = ArrayIter(images_of(levels), labels, batch_size=3)
    y, y_hat = d2l.predict_all(Brightness(), data_iter)
    assert y.dtype.kind == 'i' and y_hat.dtype.kind == 'i'
    assert y.tolist() == labels.tolist()
    assert y_hat.tolist() == [0, 1, 2, 2, 0, 1, 1]


def test_predict_all_runs_where_the_parameters_live():
    net = nn.Dense(3)
    net.initialize(ctx=mx.cpu(0))
    data_iter = ArrayIter(images_of([0] * 5), np.zeros(5), batch_size=2)
    y, y_hat = d2l.predict_all(net, data_iter)
    assert y.shape == y_hat.shape == (5,)
    assert set(y_hat) <= {0, 1, 2}


def test_predict_all_refuses_an_empty_iterator():
    with pytest.raises(ValueError, match='no batches'):
        d2l.predict_all(Brightness(), [])


def test_confusion_matrix_counts_true_by_predicted():
    y = [0, 0, 1, 2, 2, 2]
    y_hat = [0, 1, 1, 2, 0, 2]
    cm = d2l.confusion_matrix(y, y_hat, num_classes=3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert cm.sum() == len(y)


def test_confusion_matrix_takes_ndarrays_and_float_labels():
    y = nd.array([1, 1, 0])  # the data iterators' labels are float32
    cm = d2l.confusion_matrix(y, nd.array([1, 0, 0]), num_classes=2)
    assert cm.tolist() == [[1, 0], [1, 1]]


@pytest.mark.parametrize('y, y_hat, match', [
    ([0, 1], [0], 'same images'),
    ([0, 3], [0, 1], 'outside 0..2'),
    ([0, 1], [0.2, 0.7], 'argmax'),
])
def test_confusion_matrix_refuses_bad_input(y, y_hat, match):
    with pytest.raises(ValueError, match=match):
        d2l.confusion_matrix(y, y_hat, num_classes=3)


def test_plot_confusion_matrix_shows_row_percentages_on_0_to_100():
    cm = np.array([[8, 2, 0], [0, 5, 0], [1, 0, 3]])
    fig = d2l.plot_confusion_matrix(cm, LABELS)
    ax, cbar = fig.axes
    image = ax.images[0]
    rates = image.get_array()
    np.testing.assert_allclose(rates.sum(axis=1), 100)
    np.testing.assert_allclose(rates[0], [80, 20, 0])
    assert image.get_clim() == (0, 100)
    assert '%' in cbar.get_ylabel() and '%' in ax.get_title()
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 9 and texts[:3] == ['80', '20', '0']
    assert [t.get_text() for t in ax.get_xticklabels()] == LABELS
    assert ax.get_xlabel() == 'predicted' and ax.get_ylabel() == 'true'


def test_plot_confusion_matrix_with_counts_and_an_empty_row():
    cm = np.array([[8, 2, 0], [0, 0, 0], [1, 0, 3]])
    fig = d2l.plot_confusion_matrix(cm, LABELS, normalize=False)
    ax, cbar = fig.axes
    assert ax.images[0].get_clim() == (0, 8)
    assert 'number' in cbar.get_ylabel()
    assert [t.get_text() for t in ax.texts][:3] == ['8', '2', '0']
    rates = d2l.plot_confusion_matrix(cm, LABELS).axes[0].images[0]
    assert not np.isnan(rates.get_array()).any()  # empty row: zeros


def test_plot_confusion_matrix_refuses_wrong_labels():
    with pytest.raises(ValueError, match='2 labels for 3 classes'):
        d2l.plot_confusion_matrix(np.eye(3), LABELS[:2])


def test_show_mistakes_shows_only_the_misclassified_images():
    images = np.arange(8 * 4 * 4).reshape(8, 4, 4)
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    y_hat = np.array([0, 2, 2, 1, 1, 2, 2, 1])  # wrong at 1, 3, 6
    axes = d2l.show_mistakes(images, y, y_hat, LABELS, n=18, num_cols=2)
    assert len(axes) == 4  # 3 mistakes on a 2-column grid
    shown = [ax for ax in axes if ax.images]
    assert len(shown) == 3
    for ax, i in zip(shown, [1, 3, 6]):
        np.testing.assert_array_equal(ax.images[0].get_array(), images[i])
    assert shown[0].get_title() == 'true: one\npred: two'
    assert shown[2].get_title() == 'true: zero\npred: two'
    assert '3 of 3' in axes[0].figure._suptitle.get_text()


def test_show_mistakes_stops_at_n():
    images = np.zeros((30, 1, 4, 4))
    y, y_hat = np.zeros(30), np.ones(30)
    axes = d2l.show_mistakes(images, y, y_hat, ['a', 'b'], n=7)
    assert sum(bool(ax.images) for ax in axes) == 7
    assert '7 of 30' in axes[0].figure._suptitle.get_text()


def test_show_mistakes_with_no_mistakes(capsys):
    axes = d2l.show_mistakes(np.zeros((2, 4, 4)), [0, 1], [0, 1], LABELS)
    assert len(axes) == 0
    assert 'No misclassified' in capsys.readouterr().out


def test_show_mistakes_refuses_images_of_another_length():
    with pytest.raises(ValueError, match='same order'):
        d2l.show_mistakes(np.zeros((3, 4, 4)), [0, 1], [1, 0], LABELS)
