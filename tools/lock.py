"""Write the lock of each Python: requirements.txt (3.11) and locks/py3.X.txt.

requirements.txt's first section names what the course uses directly, in
three parts: [common] for both editions, [mxnet] for the MXNet edition,
[pytorch] for the PyTorch edition.  For each Python this resolves, with uv,
everything those depend on for every platform an edition installs on
(course.WHERE: Linux x86_64 and aarch64, macOS x86_64 and arm64, Windows
x86_64), wheels only; a pin needed on some platforms only gets a marker
saying where.  Each edition's part is resolved on top of the common part,
whose versions it keeps, so one environment can hold both.

    pip install uv==0.13.8
    python tools/lock.py            # all four; or: python tools/lock.py 3.13

uv resolves for a Python version and a platform without either being here.
The versions pinned now are kept wherever they still fit (uv prefers them),
so a re-run changes only what it must.  ./course installs each part with
`pip install --no-deps`: each lock holds every package, and that is how
MXNet 1.9.1, whose metadata asks for numpy < 2, and d2l 1.0.3, which pins
numpy 1.23.5, go in beside the numpy a newer Python needs (OVERRIDES).
Then run `python tools/sync_env.py` for the environment.yml files.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import course  # noqa: E402  (the lock format and where each edition goes)

LOCKS = ROOT / 'locks'
DEPENDENCIES = '# What those depend on'  # requirements.txt's second section
# uv's name for each platform of course.WHERE, and the macOS release its
# resolution assumes (torch 2.14.1's Apple Silicon wheels need macOS 14).
UV_PLATFORM = {
    ('Linux', 'x86_64'): ('x86_64-manylinux_2_28', None),
    ('Linux', 'aarch64'): ('aarch64-manylinux_2_28', None),
    ('Darwin', 'x86_64'): ('x86_64-apple-darwin', None),
    ('Darwin', 'arm64'): ('aarch64-apple-darwin', '14.0'),
    ('Windows', 'AMD64'): ('x86_64-pc-windows-msvc', None),
}
SYS_PLATFORM = {'Linux': 'linux', 'Darwin': 'darwin', 'Windows': 'win32'}

# Direct packages that differ from Python 3.11's, and why (a name not in
# requirements.txt goes into the common part).
CHANGES = {
    '3.10': {
        'ipykernel': 'ipykernel<7.4       # 7.4 needs 3.11 (and IPython 9)',
    },
    '3.12': {
        'numpy': 'numpy==1.26.4       # the last numpy 1; no 1.23 for 3.12',
        'matplotlib': 'matplotlib==3.10.9  # first wheels for numpy 2 era',
        'pandas': 'pandas==2.2.3       # 2.0 has no wheels for 3.12',
        'setuptools': 'setuptools==80.9.0  # supplies the distutils MXNet '
                      'imports (3.12 removed it); torch asks for it too',
    },
    '3.13': {
        'numpy': 'numpy==2.2.6        # numpy 1 has no wheels for 3.13',
        'matplotlib': 'matplotlib==3.10.9',
        'pandas': 'pandas==2.2.3',
        'setuptools': 'setuptools==80.9.0  # supplies the distutils MXNet '
                      'imports (3.12 removed it); torch asks for it too',
    },
}
# What MXNet's and d2l's metadata ask for, overridden where a Python needs
# newer: these packages run on them (tests/test_numpy_compat.py, the
# notebooks' replays), their metadata predates them.
OVERRIDES = {
    '3.12': ['numpy==1.26.4', 'matplotlib==3.10.9', 'pandas==2.2.3',
             'scipy==1.16.3', 'requests==2.32.5', 'jupyter==1.1.1',
             'matplotlib-inline==0.1.7'],
    '3.13': ['numpy==2.2.6', 'matplotlib==3.10.9', 'pandas==2.2.3',
             'scipy==1.16.3', 'requests==2.32.5', 'jupyter==1.1.1',
             'matplotlib-inline==0.1.7'],
}
# A note above a pin of one lock.
NOTES = {'3.11': {'soupsieve': 'soupsieve 3 and later need Python >= '
                               '3.11.5; Debian 12 has 3.11.2'}}
VERSIONS = ('3.10', '3.11', '3.12', '3.13')


def direct(path=ROOT / 'requirements.txt'):
    """{part: {name: line}} of requirements.txt's first section (its
    direct packages, with their comments)."""
    out, part = {}, None
    for line in path.read_text().splitlines():
        if line.startswith(DEPENDENCIES):
            break
        header = course.PART.match(line)
        if header:
            part = out.setdefault(header[1], {})
            continue
        req = line.partition('#')[0].strip()
        if req:
            part[course.name_of(req)] = line
    return out


def inputs(version):
    """{part: {name: line}} of the direct requirements for `version`."""
    parts = {p: dict(lines) for p, lines in direct().items()}
    for name, line in CHANGES.get(version, {}).items():
        owner = next((p for p in parts.values() if name in p),
                     parts['common'])
        owner[name] = line
    return parts


def compile_for(uv, reqs, version, where, prefer, constraints=None):
    """{name: version} resolved by uv for Python `version` on `where`."""
    target, macos = UV_PLATFORM[where]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / 'in.txt').write_text(
            '\n'.join(line.partition('#')[0].split(';')[0].strip()
                      for line in reqs) + '\n')
        (tmp / 'over.txt').write_text(
            '\n'.join(OVERRIDES.get(version, [])) + '\n')
        out = tmp / 'out.txt'
        if prefer.exists():  # uv keeps the versions pinned there
            out.write_text(prefer.read_text())
        cmd = [uv, 'pip', 'compile', str(tmp / 'in.txt'), '-o', str(out),
               '--python-version', version, '--python-platform', target,
               '--only-binary', ':all:', '--override', str(tmp / 'over.txt'),
               '--no-header', '--no-annotate', '--quiet',
               '--no-python-downloads']
        if constraints:
            (tmp / 'cons.txt').write_text(''.join(
                f'{n}=={v}\n' for n, v in constraints.items()))
            cmd += ['--constraint', str(tmp / 'cons.txt')]
        env = dict(os.environ)
        if macos:
            env['MACOSX_DEPLOYMENT_TARGET'] = macos
        run = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if run.returncode:
            sys.exit(f'uv could not resolve Python {version} on '
                     f'{where[0]} {where[1]}:\n{run.stderr}')
        pins = {}
        for line in out.read_text().splitlines():
            req = line.partition('#')[0].strip()
            if req:
                name, _, pinned = req.partition('==')
                pins[name.strip().lower()] = pinned.strip()
        return pins


def marker(platforms):
    """The environment marker true on exactly `platforms` of course.WHERE
    ('' when that is all of them)."""
    if set(platforms) == set(course.WHERE):
        return ''
    missing = set(course.WHERE) - set(platforms)
    if len(missing) == 1:  # all but one: the shorter way to say it
        [(system, machine)] = missing
        return (f"sys_platform != '{SYS_PLATFORM[system]}' or "
                f"platform_machine != '{machine}'")
    terms = []
    for system, sys_platform in SYS_PLATFORM.items():
        machines = [m for s, m in course.WHERE if s == system]
        have = [m for s, m in platforms if s == system]
        if have and have == machines:
            terms.append(f"sys_platform == '{sys_platform}'")
        else:
            terms += [f"sys_platform == '{sys_platform}' and "
                      f"platform_machine == '{m}'" for m in have]
    if len(terms) > 1:
        terms = [f'({t})' if ' and ' in t else t for t in terms]
    return ' or '.join(terms)


def resolve(version, uv):
    """{part: {(name, pinned): [platform, ...]}} for Python `version`."""
    parts = inputs(version)
    prefer = ROOT / course.lock_of(version)
    common = {}
    for where in course.WHERE:
        common[where] = compile_for(uv, parts['common'].values(), version,
                                    where, prefer)
    found = {part: {} for part in parts}
    for where, pins in common.items():
        for name, pinned in pins.items():
            found['common'].setdefault((name, pinned), []).append(where)
    for where, editions in course.WHERE.items():
        extra = {}
        for edition in editions:
            pins = compile_for(
                uv, [*parts['common'].values(), *parts[edition].values()],
                version, where, prefer, constraints=common[where])
            for name, pinned in pins.items():
                if name in common[where]:
                    continue
                if extra.get(name, pinned) != pinned:
                    sys.exit(f'Python {version} on {where}: the editions '
                             f'need {name} {extra[name]} and {pinned}.')
                extra[name] = pinned
                found[edition].setdefault((name, pinned), []).append(where)
    return found


def render(version, found):
    """The lock's text: its head, then each part."""
    notes = NOTES.get(version, {})
    parts = inputs(version)

    def line(name, pinned, platforms, comment=''):
        req = f'{name}=={pinned}'
        where = marker(platforms)
        if where:
            req += f' ; {where}'
        text = f'{req:<28} # {comment}' if comment else req
        note = notes.get(name)
        return f'# {note}\n{text}' if note else text

    if version == '3.11':  # requirements.txt: its head and direct section
        out = []
        pinned = {}
        for (name, v), platforms in (p for f in found.values()
                                     for p in f.items()):
            pinned[name] = (v, platforms)
        text = (ROOT / 'requirements.txt').read_text()
        for raw in text.split(f'\n{DEPENDENCIES}')[0].splitlines():
            req, _, comment = raw.partition('#')
            if req.strip():
                name = course.name_of(req.strip())
                v, platforms = pinned[name]
                out.append(line(name, v, platforms, comment.strip()))
            else:
                out.append(raw)
        out += ['', f'{DEPENDENCIES}, resolved by tools/lock.py']
        skip = {n for p in parts.values() for n in p}
    else:
        out = [f'# Exact versions for Python {version}, resolved by '
               'tools/lock.py from',
               '# requirements.txt (the Python 3.11 lock): edit there or in '
               'tools/lock.py,',
               '# then run `python tools/lock.py`.  ./course installs each '
               'part with',
               '# `pip install --no-deps`: the common part for both '
               'editions, then the',
               '# mxnet part, the pytorch part or both; a marker after ; '
               'says where a pin',
               '# applies.', '']
        skip = set()
    comments = {name: raw.partition('#')[2].strip()
                for p in parts.values() for name, raw in p.items()}
    for part in ('common', 'mxnet', 'pytorch'):
        out.append(f'# [{part}]')
        for (name, pinned), platforms in sorted(found[part].items()):
            if name not in skip:
                out.append(line(name, pinned, platforms,
                                comments.get(name, '')))
    return '\n'.join(out) + '\n'


def main(versions):
    uv = shutil.which('uv') or shutil.which(
        'uv', path=str(pathlib.Path(sys.executable).parent))
    if not uv:
        sys.exit('lock.py needs uv: pip install uv==0.13.8')
    bad = set(versions) - set(VERSIONS)
    if bad:
        sys.exit(f'lock.py makes the locks of Python {", ".join(VERSIONS)}; '
                 f'not {", ".join(sorted(bad))}.')
    LOCKS.mkdir(exist_ok=True)
    for version in versions or VERSIONS:
        path = ROOT / course.lock_of(version)
        path.write_text(render(version, resolve(version, uv)))
        print(f'wrote {path.relative_to(ROOT)}')


if __name__ == '__main__':
    main(sys.argv[1:])
