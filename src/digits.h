/* digits.h: constants shared across the core's modules. */
#ifndef DIGITS_DIGITS_H
#define DIGITS_DIGITS_H

#define DIGITS_PI 3.14159265358979f /* the float nearest to pi */

#endif
