// For runtime tests that need several "CPUs" (utap/compat.h's user-space
// stand-in): sets utap_test_nr_cpus for the scope, then restores it and
// puts the test back on CPU 0.
#pragma once

extern "C" {
#include "utap/compat.h"
}

class CpuScope {
 public:
  explicit CpuScope(unsigned int n) : saved_(utap_test_nr_cpus) { utap_test_nr_cpus = n; }
  ~CpuScope() {
    utap_test_nr_cpus = saved_;
    utap_test_cpu = 0;
  }
  CpuScope(const CpuScope&) = delete;
  CpuScope& operator=(const CpuScope&) = delete;

 private:
  unsigned int saved_;
};
