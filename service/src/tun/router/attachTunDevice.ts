import { type TunDevice } from '../tunDevice.js'
import { type PacketRouter } from './packetRouter.js'

/**
 * Feeds every packet read from `tun` to the router. The router's
 * deliverToHost should be `(p) => { tun.write(p) }`. Returns a function that
 * detaches the listener.
 */
export function attachTunDevice (router: Pick<PacketRouter, 'handleOutboundBatch'>, tun: TunDevice): () => void {
  const onPackets = (packets: Buffer[]): void => { router.handleOutboundBatch(packets) }
  tun.on('packets', onPackets)
  return () => { tun.off('packets', onPackets) }
}
