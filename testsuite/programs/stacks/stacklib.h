/* The shared library of the stack tests: a call made from inside it. */
#ifndef STACKLIB_H
#define STACKLIB_H
#ifdef __cplusplus
extern "C" {
#endif
/* Calls f(n) and returns what it returned plus one (so the call is no tail call). */
int stack_lib_call(int (*f)(int), int n);
#ifdef __cplusplus
}
#endif
#endif
