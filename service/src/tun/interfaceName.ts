/** Linux IFNAMSIZ is 16 including the terminating NUL. */
export const MAX_INTERFACE_NAME_LENGTH = 15

const INTERFACE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/
const INTERFACE_NAME_TEMPLATE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(%d)?[A-Za-z0-9_.-]*$/

/** A concrete interface name we are willing to pass to `ip`: letters, digits, '_', '.', '-', 1..15 bytes. */
export function isInterfaceName (name: string): boolean {
  return INTERFACE_NAME.test(name)
}

export function assertInterfaceName (name: string): void {
  if (!isInterfaceName(name)) {
    throw new RangeError(`invalid interface name ${JSON.stringify(name)}: expected 1..${MAX_INTERFACE_NAME_LENGTH} characters of [A-Za-z0-9_.-], not starting with '.' or '-'`)
  }
}

/**
 * A name to request when creating a TUN device: a concrete name, or one with a
 * single "%d" the kernel replaces by the first free number ("phantom%d").
 */
export function assertInterfaceNameRequest (name: string): void {
  if (name.length > MAX_INTERFACE_NAME_LENGTH || !INTERFACE_NAME_TEMPLATE.test(name)) {
    throw new RangeError(`invalid TUN interface name ${JSON.stringify(name)}: expected 1..${MAX_INTERFACE_NAME_LENGTH} characters of [A-Za-z0-9_.-] with at most one "%d", not starting with '.' or '-'`)
  }
}
