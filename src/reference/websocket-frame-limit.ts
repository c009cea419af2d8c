/**
 * The per-frame size limit, watched on the raw bytes beside `ws`: the library limits whole messages
 * (its `maxPayload`) but not the frames a message is split into, and API Gateway limits both. Only
 * the frame headers are read, to learn each payload's length; decoding stays the library's.
 */

/** Feed it every chunk the socket receives; `tooLarge` is called once, at the first frame over `limit`. */
export function watchFrameSizes(
  limit: number,
  tooLarge: () => void,
  over: (length: number, limit: number) => boolean = (length, max) => length > max,
): (chunk: Buffer) => void {
  const header: number[] = [];
  let payloadLeft = 0;
  let stopped = false;
  return (chunk) => {
    let at = 0;
    while (!stopped && at < chunk.length) {
      if (payloadLeft > 0) {
        const passed = Math.min(payloadLeft, chunk.length - at);
        payloadLeft -= passed;
        at += passed;
        continue;
      }
      header.push(chunk[at++]!);
      if (header.length < 2) continue;
      const short = header[1]! & 0x7f;
      const masked = (header[1]! & 0x80) !== 0;
      const needed = 2 + (short === 126 ? 2 : short === 127 ? 8 : 0) + (masked ? 4 : 0);
      if (header.length < needed) continue;
      const bytes = Buffer.from(header);
      const length =
        short === 126 ? bytes.readUInt16BE(2) : short === 127 ? Number(bytes.readBigUInt64BE(2)) : short;
      header.length = 0;
      if (over(length, limit)) {
        stopped = true;
        tooLarge();
        return;
      }
      payloadLeft = length;
    }
  };
}
