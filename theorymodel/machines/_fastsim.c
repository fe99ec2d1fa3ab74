/* Compiled inner loop of the Turing machine simulator.
 *
 * run(next, write, move, nsym, tape, head, state, max_steps)
 *   next:  bytes, int32 per (state, symbol), -1 = no transition (halt)
 *   write: bytes, uint8 per (state, symbol)
 *   move:  bytes, int8 per (state, symbol): -1, 0, +1
 *   tape:  bytes, one uint8 symbol code per cell (blank = 0)
 * Returns (halted, steps, state, head, tape, shift, lo, hi): the tape may have grown
 * on either side; `shift` is how many cells were added on the left, so a caller that
 * tracks absolute cell numbers subtracts it from its origin. lo and hi are the
 * leftmost and rightmost head positions of this call (indices into the new tape).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static PyObject *run(PyObject *self, PyObject *args) {
    Py_buffer nb, wb, mb, tb;
    Py_ssize_t head;
    int nsym, state;
    long long max_steps;
    if (!PyArg_ParseTuple(args, "y*y*y*iy*niL", &nb, &wb, &mb, &nsym, &tb, &head, &state, &max_steps))
        return NULL;
    const int32_t *next = (const int32_t *)nb.buf;
    const uint8_t *wr = (const uint8_t *)wb.buf;
    const int8_t *mv = (const int8_t *)mb.buf;
    Py_ssize_t len = tb.len < 16 ? 16 : tb.len;
    Py_ssize_t shift = 0;
    uint8_t *tape = calloc((size_t)len, 1);
    if (!tape) {
        PyBuffer_Release(&nb); PyBuffer_Release(&wb); PyBuffer_Release(&mb); PyBuffer_Release(&tb);
        return PyErr_NoMemory();
    }
    memcpy(tape, tb.buf, (size_t)tb.len);
    long long steps = 0;
    int halted = 0;
    Py_ssize_t lo = head, hi = head;
    Py_BEGIN_ALLOW_THREADS
    while (steps < max_steps) {
        int cell = state * nsym + tape[head];
        int32_t nxt = next[cell];
        if (nxt < 0) { halted = 1; break; }
        tape[head] = wr[cell];
        head += mv[cell];
        state = nxt;
        steps++;
        if (head < lo) lo = head;
        if (head > hi) hi = head;
        if (head < 0) {              /* grow on the left: double the buffer */
            uint8_t *grown = calloc((size_t)(2 * len), 1);
            if (!grown) break;
            memcpy(grown + len, tape, (size_t)len);
            free(tape); tape = grown;
            head += len; lo += len; hi += len; shift += len; len *= 2;
        } else if (head >= len) {    /* grow on the right */
            uint8_t *grown = realloc(tape, (size_t)(2 * len));
            if (!grown) break;
            memset(grown + len, 0, (size_t)len);
            tape = grown; len *= 2;
        }
    }
    /* a halted machine with no transition left to try is also halted at the limit */
    if (!halted && next[state * nsym + tape[head]] < 0) halted = 1;
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&nb); PyBuffer_Release(&wb); PyBuffer_Release(&mb); PyBuffer_Release(&tb);
    PyObject *out_tape = PyBytes_FromStringAndSize((const char *)tape, len);
    free(tape);
    if (!out_tape) return NULL;
    return Py_BuildValue("(iLinNnnn)", halted, steps, state, head, out_tape, shift, lo, hi);
}

static PyMethodDef methods[] = {
    {"run", run, METH_VARARGS, "Run an integer-coded Turing machine (see module source)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fastsim",
                                    "Compiled Turing machine inner loop.", -1, methods};

PyMODINIT_FUNC PyInit__fastsim(void) { return PyModule_Create(&module); }
