/*
 * phantom_tun: a small Node-API (C, NAPI_VERSION 8) addon around a Linux TUN
 * device for the Phantom node.
 *
 *   const h = new TunHandle(name, readBufferSize, onPackets, onError, onWritable)
 *     opens /dev/net/tun (O_RDWR | O_NONBLOCK | O_CLOEXEC), TUNSETIFF with
 *     IFF_TUN | IFF_NO_PI and the requested name ("" lets the kernel choose),
 *     and starts a uv_poll_t on the fd watching readability.
 *   h.name            the interface name the kernel actually gave
 *   h.write(bytes)    one write(2) of one packet; returns the byte count, or
 *                     -EAGAIN when the fd would block (nothing was written);
 *                     throws an Error with .code/.errno for any other error
 *   h.setReading(on)  pause / resume reading (backpressure)
 *   h.setWatchWritable(on)  call onWritable() once the fd is writable again
 *   h.close()         stops the poll and closes the fd; idempotent, safe from
 *                     inside any callback
 *
 * On each readable wake-up the addon reads packets until EAGAIN, at most
 * MAX_BATCH of them, copies each into its own Node Buffer and calls
 * onPackets(packets) once with the whole array. A read error other than
 * EAGAIN/EINTR stops reading and calls onError(err) once.
 *
 * Lifetime: the native state is freed only when both the JS object was
 * finalized and the uv handle has been closed. While a device is open the JS
 * object is held by a strong reference, so it cannot be collected under a
 * running poll. An async environment cleanup hook closes a device that is
 * still open when the environment (main thread or worker) is torn down.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <uv.h>

#define TUN_PATH "/dev/net/tun"
#define MAX_BATCH 256
#define MIN_READ_BUFFER 1280
#define MAX_READ_BUFFER 65575 /* 40-byte IPv6 header + 65535-byte payload */

typedef struct tun_device {
  napi_env env;
  int fd;
  char name[IFNAMSIZ];
  size_t read_buffer_size;
  unsigned char *read_buffer;

  uv_poll_t poll;
  int poll_initialized;
  int poll_closed;
  int reading;
  int watch_writable;
  int polling;

  int closing;
  int finalized;
  int errored;
  int in_callback;          /* depth of JS calls made from on_poll */
  int release_pending;      /* close() ran inside a callback: drop JS state after it returns */

  napi_ref self_ref;        /* strong while open */
  napi_ref on_packets_ref;
  napi_ref on_error_ref;
  napi_ref on_writable_ref;
  napi_async_context async_context;
  napi_async_cleanup_hook_handle cleanup_handle;
} tun_device;

/* ---------- small helpers ---------- */

#define CHECK(env, call)                                                    \
  do {                                                                      \
    if ((call) != napi_ok) {                                                \
      const napi_extended_error_info *info_ = NULL;                         \
      napi_get_last_error_info((env), &info_);                              \
      bool pending_ = false;                                                \
      napi_is_exception_pending((env), &pending_);                          \
      if (!pending_) {                                                      \
        napi_throw_error((env), "ERR_PHANTOM_TUN_NAPI",                     \
                         info_ && info_->error_message ? info_->error_message \
                                                       : "Node-API call failed"); \
      }                                                                     \
      return NULL;                                                          \
    }                                                                       \
  } while (0)

static const char *errno_code(int err) {
  switch (err) {
    case ENOENT: return "ENOENT";
    case ENODEV: return "ENODEV";
    case ENXIO: return "ENXIO";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case EBUSY: return "EBUSY";
    case EINVAL: return "EINVAL";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case EBADFD: return "EBADFD";
    case EIO: return "EIO";
    case EFAULT: return "EFAULT";
    case EMSGSIZE: return "EMSGSIZE";
    case ENOMEM: return "ENOMEM";
    case ENOBUFS: return "ENOBUFS";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENOTTY: return "ENOTTY";
    default: return "EUNKNOWN";
  }
}

/* Builds Error(message) with .code, .errno and .syscall set. */
static napi_value make_errno_error(napi_env env, int err, const char *syscall, const char *message) {
  napi_value code, msg, error, errno_value, syscall_value;
  if (napi_create_string_utf8(env, errno_code(err), NAPI_AUTO_LENGTH, &code) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg) != napi_ok) return NULL;
  if (napi_create_error(env, code, msg, &error) != napi_ok) return NULL;
  if (napi_create_int32(env, err, &errno_value) == napi_ok) napi_set_named_property(env, error, "errno", errno_value);
  if (napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value) == napi_ok) {
    napi_set_named_property(env, error, "syscall", syscall_value);
  }
  return error;
}

static void throw_errno(napi_env env, int err, const char *syscall, const char *message) {
  napi_value error = make_errno_error(env, err, syscall, message);
  if (error != NULL) napi_throw(env, error);
  else napi_throw_error(env, errno_code(err), message);
}

/* The human message for a failure to open the device. */
static void throw_open_error(napi_env env, int err, const char *syscall, const char *name) {
  char message[512];
  switch (err) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
      snprintf(message, sizeof message,
               "TUN device unavailable: %s: %s (%s) - the tun kernel module is not loaded or the device "
               "node is missing; run 'modprobe tun' (or create it with 'mknod /dev/net/tun c 10 200')",
               TUN_PATH, strerror(err), syscall);
      break;
    case EACCES:
      if (strcmp(syscall, "open") == 0) {
        snprintf(message, sizeof message,
                 "cannot open %s: %s - this user may not use the TUN device; CAP_NET_ADMIN is needed "
                 "(run as root, or as a service with AmbientCapabilities=CAP_NET_ADMIN and "
                 "DeviceAllow=/dev/net/tun rw)",
                 TUN_PATH, strerror(err));
        break;
      }
      /* fall through */
    case EPERM:
      snprintf(message, sizeof message,
               "cannot create TUN interface '%s': %s (%s) - CAP_NET_ADMIN is needed (run as root or grant "
               "the capability, e.g. AmbientCapabilities=CAP_NET_ADMIN)",
               name, strerror(err), syscall);
      break;
    case EINVAL:
      snprintf(message, sizeof message,
               "cannot create TUN interface '%s': %s (%s) - the name is not a valid interface name, or a "
               "non-TUN interface of that name already exists",
               name, strerror(err), syscall);
      break;
    case EBUSY:
      snprintf(message, sizeof message,
               "cannot create TUN interface '%s': %s (%s) - an interface of that name is already in use",
               name, strerror(err), syscall);
      break;
    default:
      snprintf(message, sizeof message, "cannot create TUN interface '%s': %s (%s)", name, strerror(err), syscall);
  }
  throw_errno(env, err, syscall, message);
}

/* ---------- lifetime ---------- */

static void maybe_free(tun_device *dev) {
  if (!dev->finalized || !dev->poll_closed) return;
  free(dev->read_buffer);
  free(dev);
}

static void remove_cleanup_hook(tun_device *dev) {
  if (dev->cleanup_handle != NULL) {
    napi_remove_async_cleanup_hook(dev->cleanup_handle);
    dev->cleanup_handle = NULL;
  }
}

static void on_poll_closed(uv_handle_t *handle) {
  tun_device *dev = (tun_device *)handle->data;
  dev->poll_closed = 1;
  remove_cleanup_hook(dev);
  maybe_free(dev);
}

/*
 * Stops polling, closes the fd and starts closing the uv handle. Touches no
 * JavaScript state, so it is safe from finalizers and cleanup hooks.
 * Idempotent.
 */
static void shutdown_device(tun_device *dev) {
  if (dev->closing) return;
  dev->closing = 1;
  if (dev->poll_initialized) {
    uv_poll_stop(&dev->poll);
    dev->polling = 0;
  }
  if (dev->fd >= 0) {
    close(dev->fd);
    dev->fd = -1;
  }
  if (dev->poll_initialized) {
    uv_close((uv_handle_t *)&dev->poll, on_poll_closed);
  } else {
    dev->poll_closed = 1;
    remove_cleanup_hook(dev);
  }
}

/* Drops the JavaScript references; only from a normal JS call (close()). */
static void release_js_state(tun_device *dev) {
  napi_env env = dev->env;
  if (dev->on_packets_ref) { napi_delete_reference(env, dev->on_packets_ref); dev->on_packets_ref = NULL; }
  if (dev->on_error_ref) { napi_delete_reference(env, dev->on_error_ref); dev->on_error_ref = NULL; }
  if (dev->on_writable_ref) { napi_delete_reference(env, dev->on_writable_ref); dev->on_writable_ref = NULL; }
  if (dev->async_context) { napi_async_destroy(env, dev->async_context); dev->async_context = NULL; }
  if (dev->self_ref) { napi_delete_reference(env, dev->self_ref); dev->self_ref = NULL; }
}

static void on_env_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  tun_device *dev = (tun_device *)arg;
  (void)handle;
  if (dev->closing) {
    /* Already closing: the close callback removes the hook. */
    return;
  }
  shutdown_device(dev);
}

static void finalize_device(napi_env env, void *data, void *hint) {
  tun_device *dev = (tun_device *)data;
  (void)env;
  (void)hint;
  dev->finalized = 1;
  shutdown_device(dev);
  maybe_free(dev);
}

/* ---------- calling JavaScript from the poll callback ---------- */

static void call_js(tun_device *dev, napi_ref fn_ref, size_t argc, napi_value *argv) {
  napi_env env = dev->env;
  napi_value fn, recv, result;
  if (fn_ref == NULL) return;
  if (napi_get_reference_value(env, fn_ref, &fn) != napi_ok || fn == NULL) return;
  /* napi_make_callback needs an object as receiver: the TunHandle itself. */
  recv = NULL;
  if (dev->self_ref != NULL) napi_get_reference_value(env, dev->self_ref, &recv);
  if (recv == NULL && napi_get_global(env, &recv) != napi_ok) return;
  dev->in_callback++;
  napi_make_callback(env, dev->async_context, recv, fn, argc, argv, &result);
  dev->in_callback--;
  /* An exception thrown by the callback becomes an 'uncaughtException'. */
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_value exception;
    if (napi_get_and_clear_last_exception(env, &exception) == napi_ok) napi_fatal_exception(env, exception);
  }
  if (dev->in_callback == 0 && dev->release_pending) {
    dev->release_pending = 0;
    release_js_state(dev);
  }
}

static void update_poll(tun_device *dev);

static void report_read_error(tun_device *dev, int err, const char *syscall) {
  char message[256];
  napi_value error;
  dev->errored = 1;
  dev->reading = 0;
  dev->watch_writable = 0;
  update_poll(dev);
  snprintf(message, sizeof message, "TUN interface '%s': %s failed: %s", dev->name, syscall, strerror(err));
  error = make_errno_error(dev->env, err, syscall, message);
  if (error != NULL) call_js(dev, dev->on_error_ref, 1, &error);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  tun_device *dev = (tun_device *)handle->data;
  napi_env env = dev->env;
  napi_handle_scope scope;
  if (dev->closing) return;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;

  if (status < 0) {
    report_read_error(dev, -status, "poll");
    napi_close_handle_scope(env, scope);
    return;
  }

  if ((events & UV_READABLE) && dev->reading) {
    napi_value packets = NULL;
    uint32_t count = 0;
    int read_error = 0;
    if (napi_create_array(env, &packets) != napi_ok) packets = NULL;
    while (packets != NULL && count < MAX_BATCH && dev->fd >= 0) {
      ssize_t n = read(dev->fd, dev->read_buffer, dev->read_buffer_size);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) read_error = errno;
        break;
      }
      if (n == 0) continue;
      napi_value buffer;
      void *unused;
      if (napi_create_buffer_copy(env, (size_t)n, dev->read_buffer, &unused, &buffer) != napi_ok) break;
      if (napi_set_element(env, packets, count, buffer) != napi_ok) break;
      count++;
    }
    if (count > 0) call_js(dev, dev->on_packets_ref, 1, &packets);
    if (read_error != 0 && !dev->closing) report_read_error(dev, read_error, "read");
  }

  if ((events & UV_WRITABLE) && dev->watch_writable && !dev->closing) {
    /* One notification per request: the caller re-arms if it still needs it. */
    dev->watch_writable = 0;
    update_poll(dev);
    call_js(dev, dev->on_writable_ref, 0, NULL);
  }

  napi_close_handle_scope(env, scope);
}

static void update_poll(tun_device *dev) {
  int events = 0;
  if (dev->closing || !dev->poll_initialized) return;
  if (dev->reading) events |= UV_READABLE;
  if (dev->watch_writable) events |= UV_WRITABLE;
  if (events == 0) {
    if (dev->polling) uv_poll_stop(&dev->poll);
    dev->polling = 0;
    return;
  }
  int rc = uv_poll_start(&dev->poll, events, on_poll);
  dev->polling = rc == 0;
}

/* ---------- the JavaScript class ---------- */

static tun_device *unwrap_this(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_THIS", "not a TunHandle");
    return NULL;
  }
  return (tun_device *)data;
}

static int require_function(napi_env env, napi_value value, const char *what) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_function) {
    char message[128];
    snprintf(message, sizeof message, "%s must be a function", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return 0;
  }
  return 1;
}

/* new TunHandle(name, readBufferSize, onPackets, onError, onWritable) */
static napi_value tun_constructor(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], self, target;
  char name[IFNAMSIZ + 1];
  size_t name_length = 0;
  napi_valuetype type;
  uint32_t read_buffer_size = 0;

  CHECK(env, napi_get_new_target(env, info, &target));
  if (target == NULL) {
    napi_throw_type_error(env, "ERR_CONSTRUCT_CALL_REQUIRED", "TunHandle must be called with new");
    return NULL;
  }
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < 5) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "TunHandle(name, readBufferSize, onPackets, onError, onWritable)");
    return NULL;
  }
  CHECK(env, napi_typeof(env, argv[0], &type));
  if (type != napi_string) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "name must be a string");
    return NULL;
  }
  CHECK(env, napi_get_value_string_utf8(env, argv[0], name, sizeof name, &name_length));
  if (name_length >= IFNAMSIZ) {
    char message[128];
    snprintf(message, sizeof message, "interface name is too long: at most %d bytes", IFNAMSIZ - 1);
    throw_errno(env, EINVAL, "TUNSETIFF", message);
    return NULL;
  }
  if (strlen(name) != name_length) {
    throw_errno(env, EINVAL, "TUNSETIFF", "interface name contains a NUL byte");
    return NULL;
  }
  CHECK(env, napi_typeof(env, argv[1], &type));
  if (type != napi_number) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "readBufferSize must be a number");
    return NULL;
  }
  CHECK(env, napi_get_value_uint32(env, argv[1], &read_buffer_size));
  if (read_buffer_size < MIN_READ_BUFFER || read_buffer_size > MAX_READ_BUFFER) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "readBufferSize must be between 1280 and 65575");
    return NULL;
  }
  if (!require_function(env, argv[2], "onPackets")) return NULL;
  if (!require_function(env, argv[3], "onError")) return NULL;
  if (!require_function(env, argv[4], "onWritable")) return NULL;

  int fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    throw_open_error(env, errno, "open", name);
    return NULL;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  memcpy(ifr.ifr_name, name, name_length);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    close(fd);
    throw_open_error(env, err, "TUNSETIFF", name);
    return NULL;
  }

  tun_device *dev = calloc(1, sizeof *dev);
  unsigned char *buffer = malloc(read_buffer_size);
  if (dev == NULL || buffer == NULL) {
    free(dev);
    free(buffer);
    close(fd);
    throw_errno(env, ENOMEM, "malloc", "out of memory allocating the TUN read buffer");
    return NULL;
  }
  dev->env = env;
  dev->fd = fd;
  dev->read_buffer = buffer;
  dev->read_buffer_size = read_buffer_size;
  memcpy(dev->name, ifr.ifr_name, IFNAMSIZ);
  dev->name[IFNAMSIZ - 1] = '\0';

  if (napi_wrap(env, self, dev, finalize_device, NULL, NULL) != napi_ok) {
    free(dev->read_buffer);
    free(dev);
    close(fd);
    napi_throw_error(env, "ERR_PHANTOM_TUN_NAPI", "napi_wrap failed");
    return NULL;
  }
  /* From here on the finalizer owns dev; failures go through shutdown_device. */
  napi_value resource_name, name_value;
  if (napi_create_reference(env, self, 1, &dev->self_ref) != napi_ok ||
      napi_create_reference(env, argv[2], 1, &dev->on_packets_ref) != napi_ok ||
      napi_create_reference(env, argv[3], 1, &dev->on_error_ref) != napi_ok ||
      napi_create_reference(env, argv[4], 1, &dev->on_writable_ref) != napi_ok ||
      napi_create_string_utf8(env, "PhantomTun", NAPI_AUTO_LENGTH, &resource_name) != napi_ok ||
      napi_async_init(env, self, resource_name, &dev->async_context) != napi_ok ||
      napi_create_string_utf8(env, dev->name, NAPI_AUTO_LENGTH, &name_value) != napi_ok ||
      napi_set_named_property(env, self, "name", name_value) != napi_ok) {
    shutdown_device(dev);
    release_js_state(dev);
    napi_throw_error(env, "ERR_PHANTOM_TUN_NAPI", "could not set up the TunHandle");
    return NULL;
  }

  uv_loop_t *loop = NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == NULL ||
      uv_poll_init(loop, &dev->poll, fd) != 0) {
    shutdown_device(dev);
    release_js_state(dev);
    napi_throw_error(env, "ERR_PHANTOM_TUN_UV", "could not watch the TUN fd with libuv");
    return NULL;
  }
  dev->poll.data = dev;
  dev->poll_initialized = 1;
  if (napi_add_async_cleanup_hook(env, on_env_teardown, dev, &dev->cleanup_handle) != napi_ok) {
    dev->cleanup_handle = NULL;
  }
  dev->reading = 1;
  update_poll(dev);
  if (!dev->polling) {
    shutdown_device(dev);
    release_js_state(dev);
    napi_throw_error(env, "ERR_PHANTOM_TUN_UV", "uv_poll_start failed on the TUN fd");
    return NULL;
  }
  return self;
}

/* write(bytes: Uint8Array): number  (bytes written, or -EAGAIN) */
static napi_value tun_write(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  tun_device *dev = unwrap_this(env, info, &argc, argv);
  if (dev == NULL) return NULL;
  bool is_typed = false;
  if (argc < 1 || napi_is_typedarray(env, argv[0], &is_typed) != napi_ok || !is_typed) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "write() needs a Buffer or Uint8Array");
    return NULL;
  }
  napi_typedarray_type kind;
  size_t length = 0, offset = 0;
  void *data = NULL;
  napi_value arraybuffer;
  CHECK(env, napi_get_typedarray_info(env, argv[0], &kind, &length, &data, &arraybuffer, &offset));
  if (kind != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "write() needs a Buffer or Uint8Array");
    return NULL;
  }
  if (dev->closing || dev->fd < 0) {
    throw_errno(env, EBADF, "write", "TUN device is closed");
    return NULL;
  }
  ssize_t n;
  do {
    n = write(dev->fd, data, length);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    int err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      CHECK(env, napi_create_int32(env, -EAGAIN, &result));
      return result;
    }
    char message[256];
    snprintf(message, sizeof message, "TUN interface '%s': write of %zu bytes failed: %s%s", dev->name, length,
             strerror(err), err == EINVAL ? " (not an IPv4/IPv6 packet?)" : "");
    throw_errno(env, err, "write", message);
    return NULL;
  }
  CHECK(env, napi_create_int64(env, (int64_t)n, &result));
  return result;
}

static int get_bool_arg(napi_env env, size_t argc, napi_value *argv, bool *out) {
  if (argc < 1 || napi_get_value_bool(env, argv[0], out) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a boolean");
    return 0;
  }
  return 1;
}

static napi_value tun_set_reading(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  bool on;
  tun_device *dev = unwrap_this(env, info, &argc, argv);
  if (dev == NULL || !get_bool_arg(env, argc, argv, &on)) return NULL;
  if (!dev->errored) {
    dev->reading = on;
    update_poll(dev);
  }
  return NULL;
}

static napi_value tun_set_watch_writable(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  bool on;
  tun_device *dev = unwrap_this(env, info, &argc, argv);
  if (dev == NULL || !get_bool_arg(env, argc, argv, &on)) return NULL;
  if (!dev->errored) {
    dev->watch_writable = on;
    update_poll(dev);
  }
  return NULL;
}

static napi_value tun_close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  tun_device *dev = unwrap_this(env, info, &argc, NULL);
  if (dev == NULL) return NULL;
  if (!dev->closing) {
    shutdown_device(dev);
    /* Inside a callback the async context is in use: release after it returns. */
    if (dev->in_callback > 0) dev->release_pending = 1;
    else release_js_state(dev);
  }
  return NULL;
}

static napi_value tun_is_closed(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  napi_value result;
  tun_device *dev = unwrap_this(env, info, &argc, NULL);
  if (dev == NULL) return NULL;
  CHECK(env, napi_get_boolean(env, dev->closing != 0, &result));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
    { "write", NULL, tun_write, NULL, NULL, NULL, napi_default_method, NULL },
    { "setReading", NULL, tun_set_reading, NULL, NULL, NULL, napi_default_method, NULL },
    { "setWatchWritable", NULL, tun_set_watch_writable, NULL, NULL, NULL, napi_default_method, NULL },
    { "close", NULL, tun_close, NULL, NULL, NULL, napi_default_method, NULL },
    { "isClosed", NULL, tun_is_closed, NULL, NULL, NULL, napi_default_method, NULL },
  };
  napi_value cls, constant;
  CHECK(env, napi_define_class(env, "TunHandle", NAPI_AUTO_LENGTH, tun_constructor, NULL,
                               sizeof methods / sizeof methods[0], methods, &cls));
  CHECK(env, napi_set_named_property(env, exports, "TunHandle", cls));
  CHECK(env, napi_create_int32(env, EAGAIN, &constant));
  CHECK(env, napi_set_named_property(env, exports, "EAGAIN", constant));
  CHECK(env, napi_create_int32(env, MAX_BATCH, &constant));
  CHECK(env, napi_set_named_property(env, exports, "MAX_BATCH", constant));
  CHECK(env, napi_create_int32(env, MAX_READ_BUFFER, &constant));
  CHECK(env, napi_set_named_property(env, exports, "MAX_READ_BUFFER", constant));
  CHECK(env, napi_create_int32(env, MIN_READ_BUFFER, &constant));
  CHECK(env, napi_set_named_property(env, exports, "MIN_READ_BUFFER", constant));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
