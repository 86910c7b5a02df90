# Reliability (label crash): SIGKILL under load on a data dir, restart, every acknowledged
# effect checked (50 cycles here; SLUICE_CRASH_CYCLES=1000 for the long run).
sluice_py_test(NAME crash_harness SCRIPT crash_harness.py PYTHON any LABELS crash TIMEOUT 900)
sluice_py_test(NAME store_faults SCRIPT store_faults.py PYTHON query LABELS crash TIMEOUT 300)
