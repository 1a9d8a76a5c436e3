// The C++ test program: builds shapes, calls the overloads and both
// template instances, and throws and catches one exception; exits 0.
#include <stdexcept>

#include "shapes.h"

int program_seed = 1;
volatile double program_total;

int main() {
  double total = 0;
  {
    geometry::Square small(2.0 * program_seed);
    geometry::Square large(3.0);
    geometry::Square both = small + large;
    const geometry::Shape& shape = both;
    total += shape.area() + static_cast<double>(shape.name().size());
    total += geometry::Shape::created();
  }
  total += static_cast<double>(geometry::scale(21L * program_seed));
  total += geometry::scale(0.5 * program_seed);
  total += static_cast<double>(geometry::scale(7L, program_seed + 2));

  const int ints[] = {3, 9 * program_seed, 4};
  const double doubles[] = {1.5, -2.0, 0.25 * program_seed};
  total += geometry::detail::largest(ints, 3);
  total += geometry::detail::largest(doubles, 3);

  total += checked_sqrt(17 * program_seed);
  try {
    total += checked_sqrt(-program_seed);
  } catch (const std::domain_error&) {
    total += 100;
  }
  program_total = total;
  return 0;
}
