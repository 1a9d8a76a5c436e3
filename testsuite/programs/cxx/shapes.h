// The C++ test program's types: namespaces, a class hierarchy with const
// and static methods, overloads, a template and an operator, so that
// function("ns::Class::method") and demangled names have cases.
#pragma once

#include <string>

namespace geometry {

class Shape {
 public:
  explicit Shape(std::string name);
  virtual ~Shape();
  virtual double area() const = 0;
  const std::string& name() const { return name_; }
  static int created();

 private:
  std::string name_;
  static int created_;
};

class Square : public Shape {
 public:
  explicit Square(double side);
  ~Square() override;
  double area() const override;
  Square operator+(const Square& other) const;
  double side() const { return side_; }

 private:
  double side_;
};

// Overloads: one name, three signatures.
long scale(long value);
double scale(double value);
long scale(long value, int factor);

namespace detail {
// Instantiated for int and double in main.cpp.
template <typename T>
__attribute__((noinline)) T largest(const T* values, int count) {
  T best = values[0];
  for (int k = 1; k < count; k++)
    if (values[k] > best) best = values[k];
  return best;
}
}  // namespace detail

}  // namespace geometry

// Throws when value is negative; the catch in main.cpp makes libstdc++'s
// throw and catch markers fire.
int checked_sqrt(int value);
