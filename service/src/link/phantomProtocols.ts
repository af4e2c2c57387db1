/** libp2p protocol IDs of the Phantom network (PROTOCOL.md §4, §5). */
export const PHANTOM_KAD_PROTOCOL = '/phantom/kad/1.0.0'
export const PHANTOM_SETUP_PROTOCOL = '/phantom/setup/1.0.0'
export const PHANTOM_LINK_PROTOCOL = '/phantom/link/2.0.0'
export const PHANTOM_TUNNEL_PROTOCOL = '/phantom/tunnel/1.0.0'
export const PHANTOM_APCONNECT_PROTOCOL = '/phantom/apconnect/1.0.0'
/** Version of the Phantom protocol this node speaks, announced in its node record. */
export const PHANTOM_PROTOCOL_VERSION = 1
