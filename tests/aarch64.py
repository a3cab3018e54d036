"""Linux aarch64 as pip and environment markers see it, for the tests that
resolve the locks for it and run the course on it (emulated)."""
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

GLIBC = 28  # manylinux_2_28, as tools/lock.py asks for x86_64
# pip takes the tags it is given and no older ones: list them all.
PLATFORMS = [f'manylinux_2_{minor}_aarch64'
             for minor in range(GLIBC, 16, -1)] + ['manylinux2014_aarch64']


def pip_platforms():
    """pip's --platform options for Linux aarch64."""
    return [option for platform in PLATFORMS
            for option in ('--platform', platform)]


def target(version):
    """The environment markers of CPython `version` on Linux aarch64."""
    return {'implementation_name': 'cpython',
            'implementation_version': f'{version}.0',
            'os_name': 'posix', 'platform_machine': 'aarch64',
            'platform_python_implementation': 'CPython',
            'platform_release': '', 'platform_system': 'Linux',
            'platform_version': '', 'python_full_version': f'{version}.0',
            'python_version': version, 'sys_platform': 'linux'}


def pins(lock, env):
    """{name: 'name==version'} of the lock's lines that apply on `env`."""
    out = {}
    for number, line in enumerate(lock.read_text().splitlines(), 1):
        text = line.partition(' #')[0].strip()
        if not text or text.startswith('#'):
            continue
        req = Requirement(text)
        spec = [(s.operator, s.version) for s in req.specifier]
        assert len(spec) == 1 and spec[0][0] == '==', (
            f'{lock.name}:{number}: {line!r} is not an exact pin')
        if req.marker is None or req.marker.evaluate(env):
            out[canonicalize_name(req.name)] = f'{req.name}=={spec[0][1]}'
    return out
