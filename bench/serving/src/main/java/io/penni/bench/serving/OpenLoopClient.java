package io.penni.bench.serving;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

/**
 * A lean open-loop HTTP/1.1 client for one fixed request, so that the load generator costs little of the CPU it
 * shares with the server: the calling thread sends each request at its due time over an idle keep-alive connection,
 * or opens another without blocking when every one is busy (connections are never the bottleneck, so the offered
 * rate holds; the reader sends the request once it is connected); and one reader thread takes every answer off one
 * selector, parses only its status and length, and reports its latency from
 * the due time. No per-request threads, futures, header maps or body copies: the JDK's {@code HttpClient} spent
 * more CPU than the server it was measuring (a profile of the load test showed it at 113 % of a core against the
 * server's 93 %).
 */
final class OpenLoopClient implements AutoCloseable {

    /** What became of one request. */
    interface Answers {
        /**
         * An answer arrived.
         *
         * @param tag what the sender gave the request
         * @param due when it was due, {@link System#nanoTime()}
         * @param status the HTTP status
         * @param body the body, read only for a status other than 200 (an error to report), else empty
         */
        void answered(long tag, long due, int status, String body);

        /**
         * No answer: the connection failed or the request timed out.
         *
         * @param tag what the sender gave the request
         * @param error why
         */
        void failed(long tag, String error);
    }

    /** One keep-alive connection and the one request it carries at a time. */
    private static final class Connection {
        final SocketChannel channel;
        final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        volatile long tag;
        volatile long due;
        volatile long sentAt;
        volatile boolean busy;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private static final int MAX_CONNECTIONS = 4096;

    private final InetSocketAddress address;
    private final ByteBuffer request;
    private final long timeoutNanos;
    private final Answers answers;
    private final Selector selector;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final List<Connection> all = new ArrayList<>();
    private final ConcurrentLinkedDeque<Connection> toRegister = new ConcurrentLinkedDeque<>();
    private final Thread reader;
    private volatile boolean closed;

    /**
     * Opens the client; connections open as requests need them.
     *
     * @param endpoint the URL every request goes to
     * @param headers extra request headers, {@code Name: value} each
     * @param body the POST body
     * @param timeout how long an answer may take before the request counts as failed
     * @param answers told of every answer and failure, on the reader thread
     * @throws IOException when no selector can be opened
     */
    OpenLoopClient(URI endpoint, List<String> headers, byte[] body, java.time.Duration timeout, Answers answers)
            throws IOException {
        this.address = new InetSocketAddress(endpoint.getHost(), endpoint.getPort());
        StringBuilder head = new StringBuilder("POST ").append(endpoint.getRawPath()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(endpoint.getHost()).append(':').append(endpoint.getPort()).append("\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer whole = ByteBuffer.allocateDirect(headBytes.length + body.length);
        whole.put(headBytes).put(body).flip();
        this.request = whole.asReadOnlyBuffer();
        this.timeoutNanos = timeout.toNanos();
        this.answers = answers;
        this.selector = Selector.open();
        this.reader = new Thread(this::read, "open-loop-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Sends the request now, over an idle connection or a new one.
     *
     * @param tag handed back with its answer
     * @param due when it was due ({@link System#nanoTime()}): its latency counts from then
     */
    void send(long tag, long due) {
        Connection c = idle.pollFirst();
        if (c == null) {
            // a new connection is opened without blocking: the reader finishes it and sends the request, so a slow
            // accept on the server's side (a full backlog waits out a SYN retry) never holds back later requests
            try {
                c = open();
            } catch (IOException e) {
                answers.failed(tag, e.toString());
                return;
            }
            c.tag = tag;
            c.due = due;
            c.sentAt = System.nanoTime();
            c.busy = true;
            toRegister.add(c);
            selector.wakeup();
            return;
        }
        c.tag = tag;
        c.due = due;
        c.sentAt = System.nanoTime();
        c.busy = true;
        try {
            write(c);
        } catch (IOException e) {
            fail(c, e.toString());
        }
    }

    private void write(Connection c) throws IOException {
        ByteBuffer out = request.duplicate();
        while (out.hasRemaining()) {
            if (c.channel.write(out) == 0) {
                Thread.onSpinWait(); // the socket's buffer is full: rare for a few KiB
            }
        }
    }

    private Connection open() throws IOException {
        synchronized (all) {
            if (all.size() >= MAX_CONNECTIONS) {
                throw new IOException("more than " + MAX_CONNECTIONS + " requests outstanding");
            }
        }
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        Connection c = new Connection(channel);
        synchronized (all) {
            all.add(c);
        }
        channel.connect(address);
        return c;
    }

    private void drop(Connection c) {
        c.busy = false;
        synchronized (all) {
            all.remove(c);
        }
        try {
            c.channel.close();
        } catch (IOException e) {
            // gone either way
        }
    }

    private void read() {
        ArrayDeque<Connection> fresh = new ArrayDeque<>();
        long nextSweep = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        while (!closed) {
            try {
                selector.select(100);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (Connection c; (c = toRegister.poll()) != null;) {
                fresh.add(c);
            }
            for (Connection c; (c = fresh.poll()) != null;) {
                try {
                    if (c.channel.isConnectionPending()) {
                        c.channel.register(selector, SelectionKey.OP_CONNECT, c);
                    } else {
                        connected(c.channel.register(selector, SelectionKey.OP_READ, c));
                    }
                } catch (IOException e) {
                    fail(c, e.toString());
                }
            }
            for (SelectionKey key : selector.selectedKeys()) {
                Connection c = (Connection) key.attachment();
                if (!key.isValid()) {
                    continue;
                }
                if (key.isConnectable()) {
                    try {
                        if (c.channel.finishConnect()) {
                            key.interestOps(SelectionKey.OP_READ);
                            connected(key);
                        }
                    } catch (IOException e) {
                        fail(c, e.toString());
                    }
                } else if (key.isReadable()) {
                    readFrom(c);
                }
            }
            selector.selectedKeys().clear();
            long now = System.nanoTime();
            if (now >= nextSweep) {
                nextSweep = now + TimeUnit.MILLISECONDS.toNanos(100);
                List<Connection> late = new ArrayList<>();
                synchronized (all) {
                    all.stream().filter(c -> c.busy && now - c.sentAt > timeoutNanos).forEach(late::add);
                }
                late.forEach(c -> fail(c, "no answer within " + timeoutNanos / 1_000_000 + " ms"));
            }
        }
    }

    /** A new connection is up: it sends the request it was opened for. */
    private void connected(SelectionKey key) {
        Connection c = (Connection) key.attachment();
        try {
            write(c);
        } catch (IOException e) {
            fail(c, e.toString());
        }
    }

    private void fail(Connection c, String error) {
        boolean wasBusy = c.busy;
        long tag = c.tag;
        drop(c);
        if (wasBusy) {
            answers.failed(tag, error);
        }
    }

    private void readFrom(Connection c) {
        int n;
        try {
            n = c.channel.read(c.in);
        } catch (IOException e) {
            fail(c, e.toString());
            return;
        }
        if (n < 0) {
            fail(c, "the server closed the connection");
            return;
        }
        Response r = Response.parse(c.in);
        if (r == null) {
            if (!c.in.hasRemaining()) {
                fail(c, "an answer larger than " + c.in.capacity() + " bytes");
            }
            return;
        }
        c.in.clear(); // one request per connection at a time: nothing follows the answer
        c.busy = false;
        long tag = c.tag;
        long due = c.due;
        if (r.close()) {
            drop(c);
        } else {
            idle.addFirst(c); // the most recently used first: few connections stay warm
        }
        answers.answered(tag, due, r.status(), r.body());
    }

    /** The parts of an answer the load test needs. */
    private record Response(int status, boolean close, String body) {

        /** The answer in {@code in} (position = bytes read), or null while it is incomplete. */
        static Response parse(ByteBuffer in) {
            byte[] a = in.array();
            int end = in.position();
            int headEnd = -1;
            for (int i = 3; i < end; i++) {
                if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
                    headEnd = i + 1;
                    break;
                }
            }
            if (headEnd < 0) {
                return null;
            }
            String head = new String(a, 0, headEnd, StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(head.substring(9, 12));
            String lower = head.toLowerCase(Locale.ROOT);
            boolean close = lower.contains("\r\nconnection: close");
            int length = 0;
            int at = lower.indexOf("\r\ncontent-length:");
            if (at >= 0) {
                int from = at + "\r\ncontent-length:".length();
                length = Integer.parseInt(lower.substring(from, lower.indexOf('\r', from)).trim());
            } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
                int bodyEnd = chunkedEnd(a, headEnd, end);
                if (bodyEnd < 0) {
                    return null;
                }
                return new Response(status, close, status == 200 ? ""
                        : new String(a, headEnd, bodyEnd - headEnd, StandardCharsets.UTF_8));
            }
            if (end - headEnd < length) {
                return null;
            }
            return new Response(status, close, status == 200 ? ""
                    : new String(a, headEnd, length, StandardCharsets.UTF_8));
        }

        /** Where a chunked body that starts at {@code from} ends, or -1 while it is incomplete. */
        private static int chunkedEnd(byte[] a, int from, int end) {
            int at = from;
            while (true) {
                int lineEnd = -1;
                for (int i = at + 1; i < end; i++) {
                    if (a[i] == '\n' && a[i - 1] == '\r') {
                        lineEnd = i + 1;
                        break;
                    }
                }
                if (lineEnd < 0) {
                    return -1;
                }
                String size = new String(a, at, lineEnd - 2 - at, StandardCharsets.ISO_8859_1).split(";")[0].trim();
                int length = Integer.parseInt(size, 16);
                int next = lineEnd + length + 2;
                if (length == 0) {
                    return next <= end ? next : -1; // no trailers
                }
                if (next > end) {
                    return -1;
                }
                at = next;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (all) {
            for (Connection c : all) {
                try {
                    c.channel.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
            all.clear();
        }
        try {
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
