"""Write environment.yml and binder/environment.yml from requirements.txt.

The pip pins are the single source of truth; conda supplies only Python and
pip, so a conda user, Binder and the two README commands install the very
same versions.  Run after editing requirements.txt:

    python tools/sync_env.py
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGETS = [ROOT / 'environment.yml', ROOT / 'binder' / 'environment.yml']


def pins(path=ROOT / 'requirements.txt'):
    """Return [(requirement, comment)] for each pinned line."""
    out = []
    for line in path.read_text().splitlines():
        req, _, comment = line.partition('#')
        if req.strip():
            out.append((req.strip(), comment.strip()))
    return out


def render():
    lines = [
        '# Generated from requirements.txt by tools/sync_env.py: edit there.',
        '# Conda provides Python and pip only; every package comes from pip',
        '# at the exact version the course is tested with.',
        'name: d2l-lenet',
        'channels:',
        '  - conda-forge',
        'dependencies:',
        '  - python=3.11  # mxnet 1.9.1 needs numpy<1.24: no wheels past 3.11',
        '  - pip',
        '  - pip:',
    ]
    for req, comment in pins():
        lines.append(f'    - {req}' + (f'  # {comment}' if comment else ''))
    return '\n'.join(lines) + '\n'


def main(check=False):
    text = render()
    stale = [p for p in TARGETS if not p.exists() or p.read_text() != text]
    if check:
        for p in stale:
            print(f'{p.relative_to(ROOT)} is out of date: run '
                  f'python tools/sync_env.py')
        return 1 if stale else 0
    for p in stale:
        p.parent.mkdir(exist_ok=True)
        p.write_text(text)
        print(f'wrote {p.relative_to(ROOT)}')
    return 0


if __name__ == '__main__':
    sys.exit(main(check='--check' in sys.argv))
