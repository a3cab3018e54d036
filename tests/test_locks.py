"""Each supported Python has its lock, with the course's own packages
(tools/lock.py writes them; tests/test_pins.py installs them)."""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
LOCKS = sorted((ROOT / 'locks').glob('py3.*.txt'))


def direct_pins(path):
    """{name: version} of a lock's lines."""
    out = {}
    for line in path.read_text().splitlines():
        req = line.partition('#')[0].strip()
        if '==' in req:
            name, version = req.split('==')
            out[name.lower().replace('_', '-')] = version
    return out


def test_every_python_has_a_lock_with_the_course_s_packages():
    # requirements.txt's first section: the course's own packages
    first = (ROOT / 'requirements.txt').read_text().split(
        '# What those depend on')[0]
    direct = [line.partition('==')[0].lower()
              for line in first.splitlines()
              if '==' in line.partition('#')[0]]
    assert 'mxnet' in direct and 'nbgitpuller' in direct
    assert {p.stem for p in LOCKS} == {'py3.10', 'py3.12', 'py3.13'}
    for lock in LOCKS:
        pins = direct_pins(lock)
        for name in direct:
            assert name in pins, f'{lock.name} lacks {name}'
        assert pins['mxnet'] == '1.9.1'
    assert direct_pins(ROOT / 'locks' / 'py3.13.txt')['numpy'].startswith('2.')
    assert 'setuptools' in direct_pins(ROOT / 'locks' / 'py3.12.txt')


def test_the_course_script_knows_each_lock():
    script = (ROOT / 'course').read_text()
    assert 'SUPPORTED="3.10 3.11 3.12 3.13"' in script
    assert 'locks/py$1.txt' in script and '--no-deps -r' in script
