// Non-negative least squares (power/nnls.h) on problems with known answers.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

extern "C" {
#include "nnls.h"
}

namespace {

struct Lcg {
    uint32_t s;
    double next() { return (s = s * 1664525u + 1013904223u) / 4294967296.0; }
};

std::vector<double> solve(const std::vector<double> &A, const std::vector<double> &b, size_t n,
                          double *res = nullptr)
{
    std::vector<double> x(n, -1);
    double r = -1;
    EXPECT_TRUE(ort_nnls(A.data(), b.data(), b.size(), n, x.data(), &r));
    if (res)
        *res = r;
    return x;
}

} // namespace

// Two textbook cases (the same as scipy.optimize.nnls's example).
TEST(Nnls, SmallProblemsWithKnownAnswers)
{
    std::vector<double> A = {1, 0, 1, 0, 0, 1};
    double r;
    std::vector<double> x = solve(A, {2, 1, 1}, 2, &r);
    EXPECT_NEAR(x[0], 1.5, 1e-14);
    EXPECT_NEAR(x[1], 1.0, 1e-14);
    EXPECT_NEAR(r, std::sqrt(0.5), 1e-14);
    // The unconstrained answer has x1 = -1: NNLS puts it at the bound.
    x = solve(A, {2, 1, -1}, 2, &r);
    EXPECT_NEAR(x[0], 1.5, 1e-14);
    EXPECT_EQ(x[1], 0);
    EXPECT_NEAR(r, std::sqrt(1.5), 1e-14);
    // Everything negative: x = 0, the residual is ||b||.
    x = solve(A, {-1, -1, -1}, 2, &r);
    EXPECT_EQ(x[0], 0);
    EXPECT_EQ(x[1], 0);
    EXPECT_NEAR(r, std::sqrt(3.0), 1e-14);
}

// A coupled case worked by hand: min (x0 + x1 - 1)^2 + (x0 - x1 - 3)^2 is
// x = (2, -1) unconstrained. With x1 = 0 the best x0 is 2, the residual
// (-1, 1), and x1's gradient A^T r = 1 (-1) + (-1) 1 = -2 < 0: x1 stays at
// its bound, the residual is sqrt(2).
TEST(Nnls, CoupledVariableAtTheBound)
{
    std::vector<double> A = {1, 1, 1, -1};
    double r;
    std::vector<double> x = solve(A, {1, 3}, 2, &r);
    EXPECT_NEAR(x[0], 2, 1e-14);
    EXPECT_EQ(x[1], 0);
    EXPECT_NEAR(r, std::sqrt(2.0), 1e-14);
}

// An exact, overdetermined system with a non-negative solution (some zero
// entries): recovered to rounding.
TEST(Nnls, RecoversAnExactNonNegativeSolution)
{
    const size_t m = 40, n = 8;
    Lcg g{12345};
    std::vector<double> A(m * n), truth = {3, 0, 1.5, 0.25, 0, 7, 2, 0.01}, b(m, 0);
    for (double &a : A)
        a = g.next();
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            b[i] += A[i * n + j] * truth[j];
    double r;
    std::vector<double> x = solve(A, b, n, &r);
    for (size_t j = 0; j < n; j++)
        EXPECT_NEAR(x[j], truth[j], 1e-10) << j;
    EXPECT_LT(r, 1e-10);
}

// Scaled columns (energies in joules per event next to powers in watts
// differ by many orders of magnitude): the answer does not suffer.
TEST(Nnls, BadlyScaledColumns)
{
    const size_t m = 30, n = 4;
    Lcg g{7};
    const double colscale[n] = {1e9, 1e3, 1e-3, 1};
    std::vector<double> A(m * n), truth = {2e-12, 5e-6, 40, 0}, b(m, 0);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            A[i * n + j] = g.next() * colscale[j];
            b[i] += A[i * n + j] * truth[j];
        }
    std::vector<double> x = solve(A, b, n);
    for (size_t j = 0; j < 3; j++)
        EXPECT_NEAR(x[j] / truth[j], 1.0, 1e-8) << j;
    EXPECT_NEAR(x[3], 0, 1e-9);
}

// Noisy data whose unconstrained fit goes negative: the answer satisfies
// the Kuhn-Tucker conditions (x >= 0; the gradient A^T (b - A x) is 0
// where x > 0 and <= 0 where x = 0).
TEST(Nnls, KuhnTuckerConditionsHoldOnNoisyData)
{
    const size_t m = 50, n = 10;
    Lcg g{99};
    std::vector<double> A(m * n), b(m);
    for (double &a : A)
        a = g.next();
    for (double &v : b)
        v = g.next() - 0.3;
    std::vector<double> x = solve(A, b, n);
    size_t zeros = 0;
    for (size_t j = 0; j < n; j++) {
        EXPECT_GE(x[j], 0);
        double w = 0;
        for (size_t i = 0; i < m; i++) {
            double r = b[i];
            for (size_t k = 0; k < n; k++)
                r -= A[i * n + k] * x[k];
            w += A[i * n + j] * r;
        }
        if (x[j] > 0) {
            EXPECT_NEAR(w, 0, 1e-10) << j;
        } else {
            EXPECT_LE(w, 1e-10) << j;
            zeros++;
        }
    }
    EXPECT_GT(zeros, 0u); // the case exercises the bound
}

// A column repeated: the fit is not unique; ort_nnls still converges to a
// minimum (the residual of the exact solution, 0).
TEST(Nnls, DependentColumnsStillMinimize)
{
    std::vector<double> A = {1, 1, 0, 2, 2, 1, 3, 3, 0};
    double r;
    std::vector<double> x = solve(A, {2, 5, 6}, 3, &r);
    EXPECT_NEAR(x[0] + x[1], 2, 1e-12);
    EXPECT_NEAR(x[2], 1, 1e-12);
    EXPECT_LT(r, 1e-12);
}
