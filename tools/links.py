"""Write the course's links from its one address, pyproject.toml's
``[project.urls] Repository``.

Each notebook opens with three badges (Colab, Kaggle, Binder) that open
that notebook there, and its set-up cell installs the course from the same
address when ``d2l_local`` is missing (Colab, Kaggle).  Its last cell
links CHECKING.md there, for instructors.  README's badges point there
too.  After changing the address (publishing a fork, say):

    python tools/links.py           # rewrite them all
    python tools/links.py --check   # exit 1 if any is out of date

tests/test_links.py runs the check.  For a class's JupyterHub:

    python tools/links.py --hub https://hub.example.org

prints each notebook's nbgitpuller link for that hub: one click clones the
course into the student's home (or merges what changed since) and opens
the notebook in JupyterLab.
"""
import argparse
import json
import pathlib
import re
import sys
import urllib.parse

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = None

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / 'notebooks').glob('*.ipynb'))
BADGE_START = '[![Open In Colab]'
# The first lines of every set-up cell: the course, then MXNet 1.9.1
# without its numpy < 2 requirement, beside the numpy already loaded.  (Plain
# Python, no %pip: IPython 7, Colab's, cannot run a magic inside a block.)
SETUP = '''\
try:  # on Colab or Kaggle the first run installs the course (about 1 min)
    import d2l_local as d2l
except ImportError:
    import importlib, subprocess, sys
    pip = 'pip install -q --no-deps mxnet==1.9.1 {install}'
    subprocess.run([sys.executable, '-m', *pip.split()], check=True)
    importlib.invalidate_caches()
    import d2l_local as d2l
'''
SETUP_END = 'import d2l_local as d2l\n'  # the last line of SETUP
# The last cell of every notebook: one line for instructors.
CHECKED = ('*For instructors and maintainers: [how this notebook is '
           'checked]({url}/blob/main/CHECKING.md).*')
CHECKED_STARTS = ('*For instructors and maintainers:',
                  '## How this notebook is checked')


def repository(pyproject=ROOT / 'pyproject.toml'):
    """The course's address, https://github.com/OWNER/NAME."""
    text = pyproject.read_text()
    if tomllib:
        url = tomllib.loads(text)['project']['urls']['Repository']
    else:
        url = re.search(r'^Repository\s*=\s*"([^"]+)"', text, re.M).group(1)
    match = re.fullmatch(r'https://github\.com/([\w.-]+)/([\w.-]+?)/?', url)
    if not match:
        sys.exit(f'pyproject.toml: Repository = {url!r} is not a GitHub '
                 'address like https://github.com/OWNER/NAME')
    return url.rstrip('/')


def slug(url):
    """OWNER/NAME of a GitHub address."""
    return url.split('github.com/', 1)[1]


def colab(url, path):
    return f'https://colab.research.google.com/github/{slug(url)}/blob/main/{path}'


def kaggle(url, path):
    return f'https://kaggle.com/kernels/welcome?src={url}/blob/main/{path}'


def binder(url, path):
    return f'https://mybinder.org/v2/gh/{slug(url)}/main?urlpath=lab/tree/{path}'


def notebooks(root=ROOT):
    """Every notebook under notebooks/, subfolders too, by path."""
    return sorted((p for p in (root / 'notebooks').rglob('*.ipynb')
                   if '.ipynb_checkpoints' not in p.parts),
                  key=lambda p: p.relative_to(root).as_posix())


def hub_address(hub):
    """`hub` as the base of a link (no trailing slash), or ValueError."""
    example = 'e.g. https://hub.example.org'
    if not hub or any(c.isspace() or not c.isprintable() for c in hub):
        raise ValueError(f'{hub!r} is not an address: give the hub\'s '
                         f'address as it opens in a browser, {example}')
    try:
        parts = urllib.parse.urlsplit(hub)
    except ValueError:  # e.g. an unclosed [ of an IPv6 address
        parts = urllib.parse.SplitResult('', '', '', '', '')
    if parts.scheme.lower() not in ('http', 'https') or not parts.hostname:
        raise ValueError(f'{hub!r} is not an http(s) address: give the '
                         f'hub\'s address as it opens in a browser, '
                         f'{example}')
    try:
        parts.port
    except ValueError:
        raise ValueError(f'{hub!r} has no valid port number (1 to '
                         f'65535): {example}, or https://hub.example.org'
                         ':8443') from None
    if parts.username or parts.password:
        raise ValueError(f'{hub!r} holds a user name or password: every '
                         f'student gets this link; give the address alone, '
                         f'{example}')
    if parts.query or parts.fragment:
        raise ValueError(f'{hub!r} has a ?query or #fragment: give the '
                         f'hub\'s address alone, {example}')
    path = parts.path.rstrip('/')
    if {'hub', 'user'} & set(path.split('/')):
        raise ValueError(f'{hub!r} is a page of the hub, not its address: '
                         f'leave out /hub/... or /user/..., {example}')
    return urllib.parse.urlunsplit(
        (parts.scheme.lower(), parts.netloc, path, '', ''))


def git_pull(url, path):
    """nbgitpuller's query that clones `url` (branch main) and opens
    `path` (notebooks/x.ipynb) of the clone in JupyterLab."""
    folder = url.rstrip('/').split('/')[-1]  # where nbgitpuller clones it
    return urllib.parse.urlencode(
        [('repo', url), ('branch', 'main'),
         ('urlpath', f'lab/tree/{folder}/{path}')],
        quote_via=urllib.parse.quote)


# A hub link as README shows one: the hub, then the notebook's path.
HUB_LINK = re.compile(
    r'(https?://[^\s/?#]+(?:/[^\s?#]*?)?)/hub/user-redirect/git-pull\?'
    r'repo=[^\s&)]*&branch=main&urlpath=lab%2Ftree%2F[^\s&)%]*%2F'
    r'(notebooks%2F[^\s&)]*)')


def hub(hub_url, url, path):
    """The nbgitpuller link of notebook `path` for the JupyterHub at
    `hub_url` (https://hub.example.org)."""
    return (f'{hub_address(hub_url)}/hub/user-redirect/git-pull?'
            f'{git_pull(url, path)}')


def badges(url, path):
    """The badge line that opens `path` (notebooks/x.ipynb) in each place."""
    return (f'[![Open In Colab](https://colab.research.google.com/assets/'
            f'colab-badge.svg)]({colab(url, path)}) '
            f'[![Open in Kaggle](https://kaggle.com/static/images/'
            f'open-in-kaggle.svg)]({kaggle(url, path)}) '
            f'[![Binder](https://mybinder.org/badge_logo.svg)]'
            f'({binder(url, path)})')


def install(url):
    """What the set-up cell gives pip for the course."""
    return f'git+{url}'


def _lines(source):
    return source if isinstance(source, str) else ''.join(source)


def _split(text):
    """A cell source as nbformat saves it: lines that keep their ends."""
    return text.splitlines(keepends=True)


def update_notebook(nb, url, path):
    """Put the badges and the set-up lines of `url` into `nb` (in place)."""
    cells = nb['cells']
    first = next(c for c in cells if c['cell_type'] == 'markdown')
    text = _lines(first['source'])
    if text.startswith(BADGE_START):
        text = text.split('\n', 1)[1].lstrip('\n')
    first['source'] = _split(badges(url, path) + '\n\n' + text)
    code = next(c for c in cells if c['cell_type'] == 'code')
    text = _lines(code['source'])
    if text.startswith('try:'):
        text = text.split(SETUP_END, 2)[2]
    elif text.startswith(SETUP_END):
        text = text[len(SETUP_END):]
    code['source'] = _split(SETUP.format(install=install(url)) + text)
    last = [c for c in cells if c['cell_type'] == 'markdown'][-1]
    if not _lines(last['source']).startswith(CHECKED_STARTS):
        raise ValueError(f'{path}: its last markdown cell should be the '
                         'line on how it is checked')
    last['source'] = _split(CHECKED.format(url=url))
    return nb


def write_notebook(path, nb):
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n',
                    encoding='utf-8')


def update_readme(text, url):
    """README with every course link made from `url`."""
    text = HUB_LINK.sub(
        lambda m: hub(m[1], url, urllib.parse.unquote(m[2])), text)
    text = re.sub(r'https://mybinder\.org/v2/gh/[\w.-]+/[\w.-]+/main',
                  f'https://mybinder.org/v2/gh/{slug(url)}/main', text)
    text = re.sub(r'https://colab\.research\.google\.com/github/[\w.-]+/'
                  r'[\w.-]+/blob', f'https://colab.research.google.com/'
                  f'github/{slug(url)}/blob', text)
    text = re.sub(r'kernels/welcome\?src=https://github\.com/[\w.-]+/'
                  r'[\w.-]+/blob', f'kernels/welcome?src={url}/blob', text)
    return text


def stale(root=ROOT):
    """The files whose links do not come from the address yet."""
    url = repository(root / 'pyproject.toml')
    out = []
    for path in sorted((root / 'notebooks').glob('*.ipynb')):
        nb = json.loads(path.read_text(encoding='utf-8'))
        before = json.dumps(nb)
        rel = path.relative_to(root).as_posix()
        if json.dumps(update_notebook(nb, url, rel)) != before:
            out.append(path)
    readme = root / 'README.md'
    if update_readme(readme.read_text(), url) != readme.read_text():
        out.append(readme)
    return out


def print_hub_links(hub_url, url, root=ROOT):
    """Print each notebook's path and its link for the hub at `hub_url`."""
    for path in notebooks(root):
        rel = path.relative_to(root).as_posix()
        print(f'{rel}  {hub(hub_url, url, rel)}')


def main(argv, root=ROOT):
    parser = argparse.ArgumentParser(
        prog='tools/links.py',
        description="Write the course's links from pyproject.toml's "
                    'Repository, or print the links for a JupyterHub.')
    what = parser.add_mutually_exclusive_group()
    what.add_argument('--check', action='store_true',
                      help='exit 1 if any link is out of date')
    what.add_argument('--hub', metavar='URL',
                      help="print each notebook's nbgitpuller link for the "
                           'JupyterHub at URL (https://hub.example.org)')
    args = parser.parse_args(argv)
    url = repository(root / 'pyproject.toml')
    if args.hub is not None:
        try:
            hub_address(args.hub)
        except ValueError as error:
            print(f'links.py --hub: {error}', file=sys.stderr)
            return 2
        print_hub_links(args.hub, url, root)
        return 0
    if args.check:
        old = stale(root)
        for path in old:
            print(f'{path.relative_to(root)}: links out of date; run '
                  'python tools/links.py')
        return 1 if old else 0
    for path in sorted((root / 'notebooks').glob('*.ipynb')):
        nb = json.loads(path.read_text(encoding='utf-8'))
        write_notebook(path, update_notebook(
            nb, url, path.relative_to(root).as_posix()))
    readme = root / 'README.md'
    readme.write_text(update_readme(readme.read_text(), url))
    print(f'links written from {url}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
