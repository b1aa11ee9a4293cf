// Package explain says why a model predicts what it does: coefficient
// tables for logistic regression, permutation importance for any model,
// exact TreeSHAP for CART trees, and plain-words reasons per customer.
//
// It is pure math on gonum matrices, with no I/O, so the GUI, the CLI and
// model plugins can all use it.
package explain
