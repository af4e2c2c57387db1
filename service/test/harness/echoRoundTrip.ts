/** Writes `message` to a stream whose far end echoes, and reads until as many bytes came back (or the stream ended). */
export async function echoRoundTrip (stream: AsyncIterable<unknown> & { write: (data: Buffer) => unknown }, message: Buffer): Promise<Buffer> {
  stream.write(message)
  const chunks: Buffer[] = []
  let have = 0
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer)
    have += (chunk as Buffer).byteLength
    if (have >= message.byteLength) break
  }
  return Buffer.concat(chunks)
}
