// timer.h — wall-clock seconds from a monotonic clock, for progress lines and benchmarks.
#ifndef LOOPT_TIMER_H
#define LOOPT_TIMER_H
double now_seconds(void);
#endif
