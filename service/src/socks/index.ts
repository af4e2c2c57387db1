/** The SOCKS5 front door (PROTOCOL.md §9): RFC 1928 CONNECT to AP addresses and `.phantom` names, everything else refused. */
export * from './socksConstants.js'
export * from './socksCodec.js'
export * from './socksHandshake.js'
export * from './phantomTarget.js'
export * from './socksConnectError.js'
export * from './loopbackListenAddress.js'
export * from './socksServer.js'
