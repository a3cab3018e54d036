"""tools/armpl_standin.py on this machine: it links stand-ins through the
real dynamic loader, once, and says what to install when one is missing.
(tests/test_aarch64.py runs it on an emulated aarch64.)"""
import os
import pathlib
import platform
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent
                       / 'tools'))
import armpl_standin  # noqa: E402


def test_the_loader_names_the_file_it_opens():
    path = armpl_standin.loaded_path('libm.so.6')
    assert path.name == 'libm.so.6' and path.is_absolute() and path.exists()
    assert armpl_standin.loaded_path('libnot-a-library.so.9') is None


def test_stand_ins_are_linked_once(tmp_path, monkeypatch):
    monkeypatch.setattr(armpl_standin, 'STANDINS',
                        {'libamath.so': 'libm.so.6',
                         'libastring.so': 'libc.so.6'})
    changed = armpl_standin.link(tmp_path)
    assert [line.partition(' ->')[0] for line in changed] == [
        'libamath.so', 'libastring.so']
    libm = tmp_path / 'libamath.so'
    assert libm.is_symlink() and os.path.samefile(
        libm, armpl_standin.loaded_path('libm.so.6'))
    assert armpl_standin.link(tmp_path) == []  # nothing left to do
    libm.unlink()
    libm.symlink_to(tmp_path / 'gone.so')  # a broken link is replaced
    assert len(armpl_standin.link(tmp_path)) == 1 and libm.exists()


def test_a_missing_stand_in_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(armpl_standin, 'STANDINS',
                        {'libamath.so': 'libm.so.6',
                         'libarmpl_lp64_mp.so': 'libnot-a-library.so.9'})
    with pytest.raises(SystemExit, match='apt-get install libopenblas0'):
        armpl_standin.link(tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing half done


def test_other_machines_need_nothing(capsys, tmp_path, monkeypatch):
    if platform.machine() == 'aarch64':
        pytest.skip('this is an aarch64 machine')
    monkeypatch.setattr(armpl_standin, 'mxnet_dir', lambda: tmp_path)
    armpl_standin.main()
    assert 'nothing to do' in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []
