export * from './tunnelRuntime.js'
export * from './tunnelService.js'
export * from './ownerTunnelDuplex.js'
export { TunnelRequestError } from './ownerPathTunnels.js'
