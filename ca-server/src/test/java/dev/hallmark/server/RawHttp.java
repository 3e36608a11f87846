package dev.hallmark.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A hand-driven HTTP/1.1 connection for what a well-behaved client cannot do: over-long request lines, half
 * requests, declared bodies that never come. Every read is bounded by the socket timeout, so a server that fails to
 * answer or to close makes the test fail instead of hang.
 */
final class RawHttp implements AutoCloseable {
    /** Generous bound for every read; never a timing assertion, only protection against a hang. */
    static final int READ_TIMEOUT_MILLIS = 15_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(Socket socket) {
        try {
            this.socket = socket;
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RawHttp connect(int port) {
        try {
            return new RawHttp(new Socket("127.0.0.1", port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Socket socket() {
        return socket;
    }

    RawHttp send(String text) {
        try {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One response: status line, headers and the body (by Content-Length, chunked, or none). */
    record Response(int status, String statusLine, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Reads a response that has no body whatever its headers say (the answer to HEAD). */
    Response readHead() {
        try {
            String statusLine = line();
            if (statusLine == null) {
                throw new IllegalStateException("the server closed the connection without answering");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String l = line(); l != null && !l.isEmpty(); l = line()) {
                int colon = l.indexOf(':');
                headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            return new Response(Integer.parseInt(statusLine.split(" ")[1]), statusLine, headers, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Response read() {
        try {
            String statusLine = line();
            if (statusLine == null) {
                throw new IllegalStateException("the server closed the connection without answering");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String l = line(); l != null && !l.isEmpty(); l = line()) {
                int colon = l.indexOf(':');
                headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            String length = headers.get("content-length");
            if (length != null) {
                body.write(in.readNBytes(Integer.parseInt(length)));
            } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                for (int n = Integer.parseInt(line().trim(), 16); n > 0; n = Integer.parseInt(line().trim(), 16)) {
                    body.write(in.readNBytes(n));
                    line();
                }
                line();
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            return new Response(status, statusLine, headers, body.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether the server closed (or reset) the connection: waits, bounded, for end of stream. False when data
     * arrives or nothing happens within the read timeout.
     */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset, or TLS closed without close_notify
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }
}
