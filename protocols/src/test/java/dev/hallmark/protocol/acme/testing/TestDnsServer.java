package dev.hallmark.protocol.acme.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CAARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * An in-test DNS server on {@code 127.0.0.1} (UDP and TCP on one port) that answers as a recursive resolver
 * would for a zone held in memory: CNAME chains are followed inside the data (and stop at a repeat, so a loop
 * reaches the client), unknown names get NXDOMAIN, known names without the type get NODATA, UDP answers are
 * truncated (TC) to 512 bytes or the client's EDNS size, TCP answers to 64 KiB.
 *
 * <p>Fault switches: {@link #servfail}, {@link #stall} (never answer), {@link #setBig} (an oversized answer) and
 * {@link #answerUnknownA} (every unknown A query gets one address, for load tests). Names are case-insensitive,
 * with or without a trailing dot. Thread-safe; close it to stop.
 */
public final class TestDnsServer implements AutoCloseable {
    private static final long TTL = 60;

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Map<Name, List<Record>> zone = new ConcurrentHashMap<>();
    private final Set<Name> servfail = ConcurrentHashMap.newKeySet();
    private final Set<Name> stalled = ConcurrentHashMap.newKeySet();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private volatile InetAddress unknownA;
    private volatile boolean closed;

    private TestDnsServer(DatagramSocket udp, ServerSocket tcp) {
        this.udp = udp;
        this.tcp = tcp;
    }

    /** Starts a server on 127.0.0.1 with a free port (the same number for UDP and TCP). */
    public static TestDnsServer start() {
        IOException last = null;
        for (int i = 0; i < 20; i++) {
            DatagramSocket udp = null;
            try {
                udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ServerSocket tcp = new ServerSocket();
                try {
                    tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort()), 50);
                } catch (IOException e) {
                    tcp.close();
                    throw e;
                }
                TestDnsServer server = new TestDnsServer(udp, tcp);
                server.thread("udp", server::serveUdp);
                server.thread("tcp", server::acceptTcp);
                return server;
            } catch (IOException e) { // the TCP port was taken; try another pair
                last = e;
                if (udp != null) {
                    udp.close();
                }
            }
        }
        throw new UncheckedIOException("no free UDP+TCP port pair on 127.0.0.1", last);
    }

    /** Where to send queries. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort());
    }

    public TestDnsServer addA(String name, String ip) {
        return add(new ARecord(name(name), DClass.IN, TTL, literal(ip)));
    }

    public TestDnsServer addAAAA(String name, String ip) {
        return add(new AAAARecord(name(name), DClass.IN, TTL, literal(ip)));
    }

    public TestDnsServer addTxt(String name, String value) {
        return add(new TXTRecord(name(name), DClass.IN, TTL, value));
    }

    /** Removes every TXT record at {@code name} with this value. */
    public TestDnsServer removeTxt(String name, String value) {
        zone.computeIfPresent(name(name), (n, rs) -> without(rs, r -> r instanceof TXTRecord t
                && String.join("", t.getStrings()).equals(value)));
        return this;
    }

    /** Adds a CAA record; {@code flags} 128 is the issuer-critical flag. */
    public TestDnsServer addCaa(String name, int flags, String tag, String value) {
        return add(new CAARecord(name(name), DClass.IN, TTL, flags, tag, value));
    }

    public TestDnsServer addCname(String name, String target) {
        return add(new CNAMERecord(name(name), DClass.IN, TTL, name(target)));
    }

    /**
     * Makes {@code name} answer A queries with {@code nRecords} distinct addresses (10.x.y.z). A DNS message
     * holds at most 64 KiB (about 4,000 A records), so a larger set arrives as a full 64 KiB TCP answer with
     * TC set: the most a hostile server can send.
     */
    public TestDnsServer setBig(String name, int nRecords) {
        List<Record> records = new ArrayList<>(nRecords);
        for (int i = 0; i < nRecords; i++) {
            byte[] ip = {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i};
            try {
                records.add(new ARecord(name(name), DClass.IN, TTL, InetAddress.getByAddress(ip)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        zone.put(name(name), new CopyOnWriteArrayList<>(records));
        return this;
    }

    /** Answers SERVFAIL for every query about {@code name}. */
    public TestDnsServer servfail(String name) {
        servfail.add(name(name));
        return this;
    }

    /** Never answers queries about {@code name} (a resolver timeout). */
    public TestDnsServer stall(String name) {
        stalled.add(name(name));
        return this;
    }

    /** Answers A queries for names with no records at all with {@code ip} (null switches it off). */
    public TestDnsServer answerUnknownA(String ip) {
        unknownA = ip == null ? null : literal(ip);
        return this;
    }

    /** Forgets every record and switch about {@code name}. */
    public TestDnsServer remove(String name) {
        zone.remove(name(name));
        servfail.remove(name(name));
        stalled.remove(name(name));
        return this;
    }

    /** Queries received so far, as {@code TYPE name.}. */
    public List<String> queries() {
        return List.copyOf(queries);
    }

    @Override
    public void close() {
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException ignored) {
            // Stopping anyway.
        }
    }

    private TestDnsServer add(Record r) {
        zone.computeIfAbsent(r.getName(), n -> new CopyOnWriteArrayList<>()).add(r);
        return this;
    }

    /** Builds the answer, or null to stay silent. */
    Message answer(Message query) {
        Record question = query.getQuestion();
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        if (question == null) {
            response.getHeader().setRcode(Rcode.FORMERR);
            return response;
        }
        response.addRecord(question, Section.QUESTION);
        if (query.getOPT() != null) {
            response.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
        }
        Name name = question.getName();
        int type = question.getType();
        queries.add(Type.string(type) + " " + name);
        Set<Name> seen = new HashSet<>();
        while (seen.add(name)) {
            if (stalled.contains(name)) {
                return null;
            }
            if (servfail.contains(name)) {
                response.getHeader().setRcode(Rcode.SERVFAIL);
                return response;
            }
            List<Record> records = zone.getOrDefault(name, List.of());
            if (records.isEmpty()) {
                if (type == Type.A && unknownA != null) {
                    response.addRecord(new ARecord(name, DClass.IN, TTL, unknownA), Section.ANSWER);
                    return response;
                }
                response.getHeader().setRcode(Rcode.NXDOMAIN);
                return response;
            }
            List<Record> matching = records.stream().filter(r -> r.getType() == type).toList();
            if (!matching.isEmpty()) {
                matching.forEach(r -> response.addRecord(r, Section.ANSWER));
                return response;
            }
            Record alias = records.stream().filter(r -> r.getType() == Type.CNAME).findFirst().orElse(null);
            if (alias == null) {
                return response; // NODATA
            }
            response.addRecord(alias, Section.ANSWER);
            name = ((CNAMERecord) alias).getTarget();
        }
        return response; // a CNAME loop: the chain so far, for the client to notice
    }

    /**
     * The response in at most {@code max} bytes. When it does not fit, as many answer records as fit are sent
     * with TC set, the way a hostile or sloppy server fills a message (dnsjava's own truncation would drop the
     * whole RRset, which would hide an oversized answer from the client instead of delivering it).
     */
    private static byte[] wire(Message response, int max) {
        byte[] full = response.toWire();
        if (full.length <= max) {
            return full;
        }
        List<Record> answers = response.getSection(Section.ANSWER);
        int low = 0;
        int high = answers.size();
        byte[] best = partial(response, answers, 0).toWire();
        while (low < high) { // the largest prefix of the answers that fits
            int mid = (low + high + 1) / 2;
            byte[] candidate = partial(response, answers, mid).toWire();
            if (candidate.length <= max) {
                low = mid;
                best = candidate;
            } else {
                high = mid - 1;
            }
        }
        return best;
    }

    private static Message partial(Message response, List<Record> answers, int count) {
        Message out = new Message(response.getHeader().getID());
        for (int flag : new int[] {Flags.QR, Flags.RA, Flags.RD}) {
            if (response.getHeader().getFlag(flag)) {
                out.getHeader().setFlag(flag);
            }
        }
        out.getHeader().setFlag(Flags.TC);
        out.getHeader().setRcode(response.getRcode());
        out.addRecord(response.getQuestion(), Section.QUESTION);
        answers.subList(0, count).forEach(r -> out.addRecord(r, Section.ANSWER));
        response.getSection(Section.ADDITIONAL).forEach(r -> out.addRecord(r, Section.ADDITIONAL));
        return out;
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!closed) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                Message query = new Message(Arrays.copyOf(packet.getData(), packet.getLength()));
                Message response = answer(query);
                if (response != null) {
                    int max = query.getOPT() != null ? Math.max(512, query.getOPT().getPayloadSize()) : 512;
                    byte[] wire = wire(response, max);
                    udp.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
                }
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                // A malformed query: ignore it, as a real server would.
            }
        }
    }

    private void acceptTcp() {
        while (!closed) {
            try {
                Socket s = tcp.accept();
                thread("tcp-conn", () -> serveTcp(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serveTcp(Socket s) {
        try (s; DataInputStream in = new DataInputStream(s.getInputStream());
             DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
            while (!closed) {
                int length = in.readUnsignedShort();
                byte[] wire = new byte[length];
                in.readFully(wire);
                Message response = answer(new Message(wire));
                if (response == null) {
                    continue;
                }
                byte[] bytes = wire(response, 65535);
                out.writeShort(bytes.length);
                out.write(bytes);
                out.flush();
            }
        } catch (IOException e) {
            // The client closed the connection.
        }
    }

    private void thread(String role, Runnable body) {
        Thread t = new Thread(body, "test-dns-" + role + "-" + udp.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    private static Name name(String text) {
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static InetAddress literal(String ip) {
        try {
            // Literals only (a ':' or a dotted quad), so this never resolves a name.
            return InetAddress.getByName(ip);
        } catch (IOException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    private static List<Record> without(List<Record> records, Predicate<Record> drop) {
        List<Record> kept = new CopyOnWriteArrayList<>(records);
        kept.removeIf(drop);
        return kept.isEmpty() ? null : kept;
    }
}
