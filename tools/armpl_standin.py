"""Let MXNet 1.9.1's Linux aarch64 wheel load without Arm Performance
Libraries.

The aarch64 build of libmxnet.so links three libraries of Arm Performance
Libraries (APL), which its licence keeps out of the wheel: the BLAS and
LAPACK(E) of libarmpl_lp64_mp.so, the maths of libamath.so and the string
functions of libastring.so.  Without them `import mxnet` stops with
"OSError: libarmpl_lp64_mp.so: cannot open shared object file".  Where APL
is not installed, this links stand-ins beside libmxnet.so, whose own search
path ($ORIGIN) finds them first: LAPACKE (which brings the system's BLAS and
LAPACK, OpenBLAS on Debian and Ubuntu once installed) for APL's BLAS and
LAPACK, and the C library's own libm and libc for the other two.

    sudo apt-get install libopenblas0-openmp liblapacke   # Debian, Ubuntu
    .venv/bin/python tools/armpl_standin.py

It does nothing on other machines, nor where APL is found; run again, it
changes nothing.  tests/test_aarch64.py runs it on an emulated aarch64.
"""
import ctypes
import importlib.util
import os
import pathlib
import platform
import sys

# APL's library: what stands in for it, found by its name.
STANDINS = {'libarmpl_lp64_mp.so': 'liblapacke.so.3',
            'libamath.so': 'libm.so.6',
            'libastring.so': 'libc.so.6'}
INSTALL = ('sudo apt-get install libopenblas0-openmp liblapacke (Debian, '
           'Ubuntu; elsewhere the package holding liblapacke.so.3)')


def mxnet_dir():
    """The folder of the installed mxnet package, without importing it."""
    spec = importlib.util.find_spec('mxnet')
    if spec is None or not spec.submodule_search_locations:
        sys.exit('armpl_standin: MXNet is not installed in this Python '
                 f'({sys.executable}); install the course first.')
    return pathlib.Path(list(spec.submodule_search_locations)[0])


class _LinkMap(ctypes.Structure):
    """The head of glibc's struct link_map: its address and file name."""
    _fields_ = [('l_addr', ctypes.c_void_p), ('l_name', ctypes.c_char_p)]


def loaded_path(name):
    """The file the dynamic loader opens for library `name`, or None."""
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    try:
        dlinfo = ctypes.CDLL(None).dlinfo  # glibc 2.34 and later
    except AttributeError:
        dlinfo = ctypes.CDLL('libdl.so.2').dlinfo
    entry = ctypes.POINTER(_LinkMap)()
    if dlinfo(ctypes.c_void_p(lib._handle), 2,  # RTLD_DI_LINKMAP
              ctypes.byref(entry)) != 0:
        return None
    return pathlib.Path(entry.contents.l_name.decode())


def has_apl(folder):
    """True if the loader finds APL itself (not our stand-in)."""
    link = folder / 'libarmpl_lp64_mp.so'
    if link.is_symlink():
        return False
    return link.exists() or loaded_path('libarmpl_lp64_mp.so') is not None


def link(folder):
    """Link each stand-in beside libmxnet.so; return what changed."""
    targets = {apl: loaded_path(standin) for apl, standin in STANDINS.items()}
    absent = [STANDINS[apl] for apl, target in targets.items()
              if target is None]
    if absent:  # before any change: nothing is left half done
        sys.exit(f'armpl_standin: MXNet 1.9.1 on aarch64 needs Arm '
                 f'Performance Libraries or, in their place, OpenBLAS with '
                 f'LAPACKE, and {", ".join(absent)} is not installed: '
                 f'{INSTALL}, then run again.')
    changed = []
    for apl, target in targets.items():
        path = folder / apl
        if path.is_symlink() and os.readlink(path) == str(target):
            continue
        if path.is_symlink() or path.exists():
            path.unlink()
        try:
            path.symlink_to(target)
        except OSError as error:
            sys.exit(f'armpl_standin: cannot write {path} ({error.strerror});'
                     f' run it as the account that installed MXNet.')
        changed.append(f'{apl} -> {target}')
    return changed


def main():
    if platform.system() != 'Linux' or platform.machine() != 'aarch64':
        print(f'armpl_standin: nothing to do on {platform.system()} '
              f'{platform.machine()} (only Linux aarch64 needs it)')
        return
    folder = mxnet_dir()
    if has_apl(folder):
        print('armpl_standin: Arm Performance Libraries found; nothing to do')
        return
    changed = link(folder)
    try:  # fail here, not in a notebook
        ctypes.CDLL(str(folder / 'libmxnet.so'))
    except OSError as error:
        sys.exit(f'armpl_standin: MXNet still does not load: {error}')
    for line in changed:
        print(f'armpl_standin: {line}')
    print('armpl_standin: MXNet loads with OpenBLAS and LAPACKE in place of '
          'Arm Performance Libraries')


if __name__ == '__main__':
    main()
