// Out-of-line members of the C++ test program.
#include "shapes.h"

#include <stdexcept>
#include <utility>

namespace geometry {

int Shape::created_ = 0;

Shape::Shape(std::string name) : name_(std::move(name)) { created_++; }

Shape::~Shape() = default;

int Shape::created() { return created_; }

Square::Square(double side) : Shape("square"), side_(side) {}

Square::~Square() = default;

double Square::area() const { return side_ * side_; }

Square Square::operator+(const Square& other) const { return Square(side_ + other.side_); }

__attribute__((noinline)) long scale(long value) { return value * 2; }

__attribute__((noinline)) double scale(double value) { return value * 1.5; }

__attribute__((noinline)) long scale(long value, int factor) { return value * factor; }

}  // namespace geometry

__attribute__((noinline)) int checked_sqrt(int value) {
  if (value < 0) throw std::domain_error("negative value");
  int root = 0;
  while ((root + 1) * (root + 1) <= value) root++;
  return root;
}
