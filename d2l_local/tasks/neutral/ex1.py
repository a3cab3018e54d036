"""Exercise 1's tasks without a framework: q2, the prediction of where
max pooling's runs land against the spread of average pooling's, read
from an edition's saved runs (each side passes its own read_result), and
the texts of q1 that do not name a layer.
"""
from .. import Prediction

PROBE = (2, 1, 28, 28)  # a batch of two Fashion-MNIST images
EXPLAIN_Q1 = "d2l.lenet(pooling='max') builds the same net."


def insight_q1(params):
    """What a right q1 earns: the net's `params`, the chapter's count."""
    return (f'Your net has {params:,} parameters, as many as the '
            f'chapter\'s: pooling has no weights, so the swap changes what '
            f'flows through the net, not its size. The lesson trains '
            f"d2l.lenet(pooling='max'), the same net from the course "
            f'package.')


# q2: where do max pooling's runs land against average pooling's spread?

def saved_runs(read_result):
    """Test accuracy after 5 epochs, {seed: accuracy}, of the saved
    full-data runs `read_result` reads: average pooling (the chapter's
    seed sweep) and max pooling (the LeNet grid's 'max pool' rows)."""
    sweep = read_result('seed_sweep.json')
    avg = {int(r['seed']): float(r['final_test_acc']) for r in sweep['runs']}
    best = {int(r['seed']): float(r['test_acc'])
            for r in read_result('lenet_grid.csv')
            if r['variant'] == 'max pool'}
    return avg, best


def verdict(avg, best):
    """'a' if every max-pooling run beats the best average-pooling run,
    'c' if every one falls below the worst, else 'b'."""
    if min(best.values()) > max(avg.values()):
        return 'a'
    if max(best.values()) < min(avg.values()):
        return 'c'
    return 'b'


def story(avg, best):
    """What the saved runs show, in two sentences."""
    lo, hi = min(best.values()), max(best.values())
    where = {
        'a': f'above the best of the {len(avg)} average-pooling runs '
             f'({max(avg.values()):.3f})',
        'b': f'overlapping the range of the {len(avg)} average-pooling runs '
             f'({min(avg.values()):.3f} to {max(avg.values()):.3f})',
        'c': f'below the worst of the {len(avg)} average-pooling runs '
             f'({min(avg.values()):.3f})',
    }[verdict(avg, best)]
    leads = [best[s] - avg[s] for s in sorted(best) if s in avg]
    wins = sum(lead > 0 for lead in leads)
    span = max(avg.values()) - min(avg.values())
    return (f'All {len(best)} max-pooling runs ended between {lo:.3f} and '
            f'{hi:.3f}, {where}. Seed by seed (same start, same batches) '
            f'max pooling won {wins} of {len(leads)}, by {min(leads):.3f} '
            f'to {max(leads):.3f}; the average-pooling runs span '
            f'{span:.3f}. The text below says how far so few seeds go.')


def make_q2(name, avg, best, last_hint):
    """Task 2, the prediction, registered as `name`: graded by the saved
    runs `avg` and `best` (saved_runs'); `last_hint` is the side's."""
    return Prediction(
        name,
        options={
            'a': f'higher, beyond the spread: every max-pooling run ends '
                 f'above the best of the {len(avg)} average-pooling runs',
            'b': f'within the spread: the max-pooling runs overlap the '
                 f'range of the {len(avg)} average-pooling runs',
            'c': f'lower: every max-pooling run ends below the worst of the '
                 f'{len(avg)} average-pooling runs',
        },
        answer=verdict(avg, best),
        todo="set prediction to 'a', 'b' or 'c' (the options are in the "
             'text above).',
        where='the three options in the text above the cell',
        insight=story(avg, best),
        hints=[
            'In the backward pass a 2x2 average pool hands each of its '
            'four inputs a quarter of the gradient; a max pool hands all '
            'of it to the input that won. A sigmoid net\'s gradients are '
            'small: which pool passes the larger gradient to the weights '
            'below it?',
            last_hint,
        ],
        explain=story(avg, best))
