"""A simulated Colab: the notebooks install the course through their
set-up cell and run top to bottom beside Colab's own packages
(tests/simulated.py says how).

Colab runs Python 3.13 with numpy 2.1.3, IPython 7.34.0, ipykernel 6.17.1,
ipywidgets 7.7.1, matplotlib 3.10.0, torch 2.11.0 and torchvision 0.26.0
(googlecolab/backend-info, pip-freeze.txt of 2026-08-19); it has pandas,
requests, tqdm and setuptools too (pandas 2.2.3 is the first with wheels
for 3.13).  Colab's torch is the CPU-only build of PyTorch's own package
index, which this machine cannot reach; the venv gets PyPI's build of the
same releases.  Since Colab holds torch, the PyTorch chapter runs here too
(simulated.TWINS), its set-up cell installing the course alone.
"""
import simulated


class TestColab(simulated.Platform):
    name, python = 'colab', '3.13'
    packages = ('numpy==2.1.3 ipython==7.34.0 ipykernel==6.17.1 '
                'ipywidgets==7.7.1 matplotlib==3.10.0 pandas==2.2.3 '
                'torch==2.11.0 torchvision==0.26.0 '
                'requests tqdm setuptools')
