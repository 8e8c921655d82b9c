// tokenmix.h — the MLP token mixer (model.mixer "mlp", TRM-MLP): a SwiGLU across positions
// instead of attention, applied to every channel of every sample alike. The sequence length
// is fixed by the weights, which suits Sudoku's 81 cells.
//   h (C, 2Ft) = x_b^T · wtfc^T      x_b (T, C) one sample, wtfc (2Ft, T)
//   g (C, Ft)  = swiglu(h)
//   out_b (T, C) = wtproj · g^T      wtproj (T, Ft)
// GEMMs on transposed views, nothing is copied.
#ifndef LOOPT_TOKENMIX_H
#define LOOPT_TOKENMIX_H

// out (B, T, C) (overwritten); th (B, C, 2Ft) and tg (B, C, Ft) are cached for backward.
void tokenmix_forward(float *out, float *th, float *tg, const float *x, const float *wtfc,
                      const float *wtproj, int B, int T, int C, int Ft);
// dx (B, T, C) +=, dwtfc (2Ft, T) +=, dwtproj (T, Ft) +=; scratch: dtg (B, C, Ft), dth (B, C, 2Ft).
void tokenmix_backward(float *dx, float *dwtfc, float *dwtproj, float *dtg, float *dth,
                       const float *dout, const float *x, const float *th, const float *tg,
                       const float *wtfc, const float *wtproj, int B, int T, int C, int Ft);

#endif
