/*
 * Minimal N-API addon: reads the kernel clock state with adjtimex(2) (modes = 0, so nothing is
 * changed) for the timex host collector. Node has no binding for this syscall.
 *
 * read() returns { state, offset, freq, maxerror, esterror, status, constant, precision,
 * tolerance, timeSec, timeUsec, tick, ppsfreq, jitter, shift, stabil, jitcnt, calcnt, errcnt,
 * stbcnt, tai }: `state` is adjtimex's return value (TIME_OK .. TIME_ERROR), the rest are the
 * struct timex fields, unscaled. On failure it throws an Error whose `code` is the errno name.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <string.h>
#include <sys/timex.h>

#define CHECK(call)                                                                                \
  do {                                                                                             \
    if ((call) != napi_ok) return NULL;                                                            \
  } while (0)

static napi_status set_number(napi_env env, napi_value obj, const char *name, double value) {
  napi_value v;
  napi_status s = napi_create_double(env, value, &v);
  if (s != napi_ok) return s;
  return napi_set_named_property(env, obj, name, v);
}

static const char *errno_name(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    case ENOSYS: return "ENOSYS";
    default: return "EUNKNOWN";
  }
}

static napi_value read_timex(napi_env env, napi_callback_info info) {
  (void)info;
  struct timex tx;
  memset(&tx, 0, sizeof tx);
  tx.modes = 0; /* read only */
  int state = adjtimex(&tx);
  if (state == -1) {
    int err = errno;
    napi_throw_error(env, errno_name(err), strerror(err));
    return NULL;
  }

  napi_value obj;
  CHECK(napi_create_object(env, &obj));
  CHECK(set_number(env, obj, "state", state));
  CHECK(set_number(env, obj, "offset", (double)tx.offset));
  CHECK(set_number(env, obj, "freq", (double)tx.freq));
  CHECK(set_number(env, obj, "maxerror", (double)tx.maxerror));
  CHECK(set_number(env, obj, "esterror", (double)tx.esterror));
  CHECK(set_number(env, obj, "status", tx.status));
  CHECK(set_number(env, obj, "constant", (double)tx.constant));
  CHECK(set_number(env, obj, "precision", (double)tx.precision));
  CHECK(set_number(env, obj, "tolerance", (double)tx.tolerance));
  CHECK(set_number(env, obj, "timeSec", (double)tx.time.tv_sec));
  CHECK(set_number(env, obj, "timeUsec", (double)tx.time.tv_usec));
  CHECK(set_number(env, obj, "tick", (double)tx.tick));
  CHECK(set_number(env, obj, "ppsfreq", (double)tx.ppsfreq));
  CHECK(set_number(env, obj, "jitter", (double)tx.jitter));
  CHECK(set_number(env, obj, "shift", tx.shift));
  CHECK(set_number(env, obj, "stabil", (double)tx.stabil));
  CHECK(set_number(env, obj, "jitcnt", (double)tx.jitcnt));
  CHECK(set_number(env, obj, "calcnt", (double)tx.calcnt));
  CHECK(set_number(env, obj, "errcnt", (double)tx.errcnt));
  CHECK(set_number(env, obj, "stbcnt", (double)tx.stbcnt));
  CHECK(set_number(env, obj, "tai", tx.tai));
  return obj;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  CHECK(napi_create_function(env, "read", NAPI_AUTO_LENGTH, read_timex, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "read", fn));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
