"""A simulated Kaggle: the notebooks install the course through their
set-up cell and run top to bottom beside Kaggle's own packages
(tests/simulated.py says how).

Kaggle's image builds on Colab's of May 2026 (Kaggle/docker-python,
Dockerfile.tmpl): Python 3.12 with numpy 2.0.2, IPython 7.34.0, ipykernel
6.17.1, ipywidgets 7.7.1, matplotlib 3.10.0 and pandas 2.2.2.  (Its
kaggle_requirements.txt of August 2026 pins ipywidgets 8.1.5 over
Colab's; ipywidgets 8.1 is what the locks test.)  Its kernel starts with
matplotlib's inline backend (`c.IPKernelApp.matplotlib = 'inline'` in
/etc/ipython/ipython_config.py), which loads numpy 2.0.2 before the
set-up cell installs MXNet.
"""
import simulated


class TestKaggle(simulated.Platform):
    name, python = 'kaggle', '3.12'
    packages = ('numpy==2.0.2 ipython==7.34.0 ipykernel==6.17.1 '
                'ipywidgets==7.7.1 matplotlib==3.10.0 pandas==2.2.2 '
                'requests tqdm setuptools')
    kernel_options = ('--IPKernelApp.matplotlib=inline',)
    preloaded = ('numpy',)
