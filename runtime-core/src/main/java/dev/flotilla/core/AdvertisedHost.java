package dev.flotilla.core;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.helidon.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host a service puts in its URI, which other services get from discovery (the {@code http.url} of NATS
 * discovery). Chosen once at start-up:
 * <ol>
 *     <li>{@value #KEY} when set, as given;</li>
 *     <li>else {@code server.host} when it names one address or name (a loopback bind advertises loopback: nothing
 *     else can reach it);</li>
 *     <li>else, bound to all interfaces ({@code 0.0.0.0}, {@code ::}, or {@code server.host} unset, Helidon's
 *     default), an address of this host's network interfaces: among the interfaces that are up and not loopback, in
 *     order of interface index, the first IPv4 address (the numerically lowest when an interface has several); only
 *     when no interface has one, the first IPv6 address the same way. Loopback, link-local, wildcard and multicast
 *     addresses are never chosen;</li>
 *     <li>else (only loopback is up) the start fails, naming {@value #KEY}: advertising loopback would send every
 *     other host to itself.</li>
 * </ol>
 */
final class AdvertisedHost {
    /** The configuration key that sets the advertised host: {@value}. */
    static final String KEY = "server.advertised-host";

    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0");
    private static final Logger LOG = LoggerFactory.getLogger(ServiceRuntime.class);

    /**
     * A network interface as the choice sees it: the JDK's {@link NetworkInterface} cannot be made in a test, this
     * can.
     */
    record Candidate(String name, int index, boolean up, boolean loopback, List<InetAddress> addresses) {
        Candidate {
            addresses = List.copyOf(addresses);
        }
    }

    /** An address chosen from an interface. */
    record Choice(String host, String interfaceName) {
    }

    private AdvertisedHost() {
    }

    /**
     * The host to advertise for a service with this configuration.
     *
     * @throws ServiceStartException if the service is bound to all interfaces, {@value #KEY} is not set and no
     *                               interface has an address other hosts could reach
     */
    static String resolve(String serviceName, Config config) {
        Optional<String> advertised = config.get(KEY).asString().asOptional().map(String::trim)
                .filter(h -> !h.isEmpty());
        if (advertised.isPresent()) {
            return advertised.get();
        }
        String bound = config.get("server.host").asString().asOptional().map(String::trim).orElse("");
        if (!isWildcard(bound)) {
            return bound;
        }
        List<Candidate> interfaces;
        try {
            interfaces = interfaces();
        } catch (SocketException e) {
            throw new ServiceStartException("Service '" + serviceName + "' listens on all interfaces but cannot list "
                    + "this host's network interfaces to choose the address it advertises (" + e.getMessage()
                    + "): set " + KEY, e);
        }
        Choice choice = choose(interfaces).orElseThrow(() -> new ServiceStartException(
                "Service '" + serviceName + "' listens on all interfaces (server.host "
                        + (bound.isEmpty() ? "unset" : bound) + ") but no network interface other than loopback is "
                        + "up, so it has no address other hosts can reach to advertise: set " + KEY
                        + " (the pod IP, the host's name or address), or server.host=127.0.0.1 to serve this "
                        + "host only", null));
        LOG.info("Service '{}' listens on all interfaces and advertises {} (interface {}); set {} to choose",
                 serviceName, choice.host(), choice.interfaceName(), KEY);
        return choice.host();
    }

    static boolean isWildcard(String host) {
        return host.isEmpty() || WILDCARDS.contains(host);
    }

    /**
     * The address to advertise among these interfaces, by the rule in the class comment.
     *
     * @return empty when no interface has a routable address
     */
    static Optional<Choice> choose(List<Candidate> interfaces) {
        List<Candidate> usable = interfaces.stream()
                .filter(c -> c.up() && !c.loopback())
                .sorted(Comparator.comparingInt(Candidate::index).thenComparing(Candidate::name))
                .toList();
        for (boolean ipv4 : new boolean[] {true, false}) {
            for (Candidate candidate : usable) {
                Optional<InetAddress> address = candidate.addresses().stream()
                        .filter(a -> (a instanceof Inet4Address) == ipv4)
                        .filter(AdvertisedHost::routable)
                        .min(Comparator.comparing(InetAddress::getAddress, Arrays::compareUnsigned));
                if (address.isPresent()) {
                    return Optional.of(new Choice(hostOf(address.get()), candidate.name()));
                }
            }
        }
        return Optional.empty();
    }

    private static boolean routable(InetAddress address) {
        return !address.isLoopbackAddress() && !address.isLinkLocalAddress() && !address.isAnyLocalAddress()
                && !address.isMulticastAddress();
    }

    /** The address as text, without the {@code %scope} the JDK appends to IPv6 addresses read from an interface. */
    private static String hostOf(InetAddress address) {
        String text = address.getHostAddress();
        int scope = text.indexOf('%');
        return scope < 0 ? text : text.substring(0, scope);
    }

    /** This host's network interfaces, read now. */
    static List<Candidate> interfaces() throws SocketException {
        List<Candidate> candidates = new ArrayList<>();
        for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
            candidates.add(new Candidate(nic.getName(), nic.getIndex(), nic.isUp(), nic.isLoopback(),
                                         nic.inetAddresses().toList()));
        }
        return candidates;
    }
}
