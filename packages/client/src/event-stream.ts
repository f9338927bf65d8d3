// Reads a server-sent event stream (the EventSource wire format) from a fetch body: Node 20 has no EventSource, and
// EventSource cannot send the Authorization header a Hone key travels in.

export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * Calls `onEvent` for each event and `onActivity` for every chunk (comments included: the heartbeat proves the stream
 * alive). Resolves when the stream ends; rejects when reading fails (the connection broke, or was aborted).
 */
export async function readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: ServerSentEvent) => void,
  onActivity: () => void = () => {},
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  let event = '';
  let data: string[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onActivity();
      buffered += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffered.search(/\r\n|\r|\n/)) !== -1) {
        // A CR ending the chunk may be the first half of a CRLF: wait for the next chunk.
        if (buffered[newline] === '\r' && newline === buffered.length - 1) break;
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + (buffered.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) onEvent({ event: event || 'message', data: data.join('\n') });
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
    }
  } finally {
    reader.releaseLock();
  }
}
