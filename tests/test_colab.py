"""A simulated Colab: the notebooks install the course through their
set-up cell and run top to bottom beside Colab's own packages
(tests/simulated.py says how).

Colab runs Python 3.13 with numpy 2.1.3, IPython 7.34.0, ipykernel 6.17.1,
ipywidgets 7.7.1 and matplotlib 3.10.0 (googlecolab/backend-info,
pip-freeze.txt of 2026-08-19); it has pandas, requests, tqdm and
setuptools too (pandas 2.2.3 is the first with wheels for 3.13).
"""
import simulated


class TestColab(simulated.Platform):
    name, python = 'colab', '3.13'
    packages = ('numpy==2.1.3 ipython==7.34.0 ipykernel==6.17.1 '
                'ipywidgets==7.7.1 matplotlib==3.10.0 pandas==2.2.3 '
                'requests tqdm setuptools')
