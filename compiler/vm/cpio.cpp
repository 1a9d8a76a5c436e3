#include "vm/cpio.h"

#include <fmt/format.h>
#include <sys/stat.h>

namespace utap::vm {
namespace {

void pad4(std::string& out) { out.append((4 - out.size() % 4) % 4, '\0'); }

}  // namespace

void CpioWriter::entry(const std::string& path, unsigned mode, const std::string& data, unsigned rmajor,
                       unsigned rminor) {
  // Fields: magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
  // devminor, rdevmajor, rdevminor, namesize (with NUL), check. mtime stays 0
  // so that identical inputs give an identical archive.
  out_ +=
      fmt::format("070701{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}", nextInode_++,
                  mode, 0, 0, S_ISDIR(mode) ? 2 : 1, 0, data.size(), 0, 0, rmajor, rminor, path.size() + 1, 0);
  out_ += path;
  out_ += '\0';
  pad4(out_);
  out_ += data;
  pad4(out_);
}

void CpioWriter::directory(const std::string& path) { entry(path, S_IFDIR | 0755, ""); }

void CpioWriter::file(const std::string& path, const std::string& data, unsigned mode) {
  entry(path, S_IFREG | mode, data);
}

void CpioWriter::symlink(const std::string& path, const std::string& target) { entry(path, S_IFLNK | 0777, target); }

void CpioWriter::charDevice(const std::string& path, unsigned major, unsigned minor, unsigned mode) {
  entry(path, S_IFCHR | mode, "", major, minor);
}

std::string CpioWriter::finish() {
  entry("TRAILER!!!", 0, "");
  return std::move(out_);
}

}  // namespace utap::vm
