// A writer for the "newc" cpio format the kernel unpacks an initramfs from.
// Written here rather than by running cpio(1) so that device nodes
// (/dev/console) can be added without root and without a staging tree.
#pragma once

#include <string>

namespace utap::vm {

class CpioWriter {
 public:
  void directory(const std::string& path);
  void file(const std::string& path, const std::string& data, unsigned mode = 0644);
  void symlink(const std::string& path, const std::string& target);
  void charDevice(const std::string& path, unsigned major, unsigned minor, unsigned mode = 0600);
  // Appends the trailer and returns the archive.
  std::string finish();

 private:
  void entry(const std::string& path, unsigned mode, const std::string& data, unsigned rmajor = 0, unsigned rminor = 0);
  std::string out_;
  unsigned nextInode_ = 1;
};

}  // namespace utap::vm
