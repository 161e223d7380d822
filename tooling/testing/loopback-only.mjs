// Loaded with `node --import`: a connection to anything but loopback (or a Unix socket) fails at
// once, before any DNS lookup, so telemetry side channels never leave the machine in tests.
import net from 'node:net';

const loopback = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/;
const connect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function guardedConnect(...args) {
  const first = args[0];
  const options = Array.isArray(first) ? first[0] : first;
  const target =
    typeof options === 'object' && options !== null
      ? { host: options.host, port: options.port, path: options.path }
      : { host: typeof args[1] === 'string' ? args[1] : undefined, port: options, path: undefined };
  if (target.path === undefined && target.host !== undefined && !loopback.test(target.host)) {
    const error = Object.assign(
      new Error(`loopback-only: refused connection to ${target.host}:${target.port}`),
      {
        code: 'ECONNREFUSED',
      },
    );
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return connect.apply(this, args);
};
