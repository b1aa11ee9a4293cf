// Package recommend builds product recommendations from implicit purchase
// data: which customer bought which product, and how often.
//
// Everything here is pure computation on in-memory indices: customers and
// products are dense integers 0..n-1 assigned by the caller, who also maps
// them back to ids and names. No I/O happens in this package.
//
// # Pieces
//
//   - [Matrix]: the sparse customer × product matrix (CSR with a CSC copy),
//     the input of every method.
//   - [Popular] and [PopularByGroup]: the "best sellers" baseline that every
//     other method must beat.
//   - [TrainItemKNN]: item-to-item collaborative filtering (cosine with
//     shrinkage, or co-purchase counts), top-K neighbours per product.
//   - [ItemKNN.Recommend], [ItemKNN.Similar], [ItemKNN.LikelyBuyers]:
//     per-customer top-N with exclusions ([Filter]) and reasons, similar
//     products, and the most likely buyers of a product; [PopularFor] and
//     [Fill] top up customers with too little history.
//   - [Evaluate] with hit rate, precision, recall and NDCG at K and catalogue
//     coverage, so methods are compared on the user's own data.
//
// # Determinism
//
// Every ranking breaks score ties by the smaller index, and parallel work
// writes per-item or per-customer slots only, so results do not depend on
// the worker count or scheduling.
package recommend
