package dev.flotilla.core;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.flotilla.core.AdvertisedHost.Candidate;
import dev.flotilla.core.AdvertisedHost.Choice;
import io.helidon.webserver.http.HttpRules;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host a service advertises: the rule on interface lists, and this machine's real interfaces through a real
 * service. The same rule on hosts of their own (network namespaces with a veth address, and one with loopback only)
 * is tested with the sample's services in reliability-tests ({@code MultiHostTest}).
 */
class AdvertisedHostTest {

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static Candidate nic(String name, int index, boolean up, String... addresses) {
        return new Candidate(name, index, up, name.equals("lo"),
                             java.util.Arrays.stream(addresses).map(AdvertisedHostTest::ip).toList());
    }

    @Test
    void choosesTheLowestIpv4AddressOfTheFirstUpInterfaceByIndex() {
        Optional<Choice> choice = AdvertisedHost.choose(List.of(
                nic("docker0", 5, true, "172.17.0.1"),
                nic("lo", 1, true, "127.0.0.1", "::1"),
                nic("eth1", 3, false, "10.0.0.9"),
                nic("eth0", 2, true, "fd00::2", "192.0.2.20", "192.0.2.3")));
        assertEquals(Optional.of(new Choice("192.0.2.3", "eth0")), choice);
    }

    @Test
    void prefersIpv4OnALaterInterfaceOverIpv6OnAnEarlierOne() {
        Optional<Choice> choice = AdvertisedHost.choose(List.of(
                nic("eth0", 2, true, "fd00::2"),
                nic("eth1", 3, true, "10.250.0.7")));
        assertEquals(Optional.of(new Choice("10.250.0.7", "eth1")), choice);
    }

    @Test
    void fallsBackToARoutableIpv6AddressWithoutItsScope() {
        Candidate eth0 = nic("eth0", 2, true, "fe80::1", "2001:db8::5");
        Optional<Choice> choice = AdvertisedHost.choose(List.of(nic("lo", 1, true, "127.0.0.1", "::1"), eth0));
        assertEquals(Optional.of(new Choice("2001:db8:0:0:0:0:0:5", "eth0")), choice);
    }

    @Test
    void neverChoosesLoopbackLinkLocalOrADownInterface() {
        assertEquals(Optional.empty(), AdvertisedHost.choose(List.of(
                nic("lo", 1, true, "127.0.0.1", "::1"),
                nic("eth0", 2, true, "169.254.10.1", "fe80::1"),
                nic("eth1", 3, false, "10.0.0.9"))));
        assertEquals(Optional.empty(), AdvertisedHost.choose(List.of()));
    }

    @Test
    void wildcardsAreTheAllInterfacesBindsAndUnsetHost() {
        for (String wildcard : List.of("", "0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0")) {
            assertTrue(AdvertisedHost.isWildcard(wildcard), wildcard);
        }
        for (String one : List.of("127.0.0.1", "::1", "10.1.2.3", "shop.example")) {
            assertFalse(AdvertisedHost.isWildcard(one), one);
        }
    }

    @Test
    void aServiceBoundToLoopbackAdvertisesLoopback() {
        try (ServiceRuntime runtime = runtime(Map.of("server.host", "127.0.0.1"))) {
            runtime.start();
            assertEquals("127.0.0.1", runtime.service("where-service").uri().getHost());
        }
    }

    @Test
    void theAdvertisedHostKeyWinsOverTheBoundAddress() {
        try (ServiceRuntime runtime = runtime(Map.of("server.host", "0.0.0.0",
                                                     "server.advertised-host", "orders.shop.example"))) {
            runtime.start();
            assertEquals("orders.shop.example", runtime.service("where-service").uri().getHost());
        }
    }

    /**
     * On this machine's own interfaces: bound to all interfaces, a service advertises the address the rule picks
     * and answers there; on a machine with loopback only, it refuses to start and names the key.
     */
    @Test
    void aServiceBoundToAllInterfacesAdvertisesAnAddressOfThisMachineThatAnswers() throws Exception {
        Optional<Choice> expected = AdvertisedHost.choose(AdvertisedHost.interfaces());
        try (ServiceRuntime runtime = runtime(Map.of("server.host", "0.0.0.0"))) {
            if (expected.isEmpty()) {
                ServiceStartException refused = assertThrows(ServiceStartException.class, runtime::start);
                assertTrue(refused.getMessage().contains("set server.advertised-host"), refused.getMessage());
                return;
            }
            runtime.start();
            URI uri = runtime.service("where-service").uri();
            assertEquals(expected.get().host(), uri.getHost().replace("[", "").replace("]", ""));
            assertFalse(InetAddress.getByName(expected.get().host()).isLoopbackAddress(), uri.toString());
            assertEquals("here", Http.get(uri, "/where").body());
        }
    }

    @Test
    void theChosenAddressIsOneOfAnInterfaceThatIsUp() throws Exception {
        Optional<Choice> choice = AdvertisedHost.choose(AdvertisedHost.interfaces());
        if (choice.isPresent()) {
            InetAddress address = InetAddress.getByName(choice.get().host());
            java.net.NetworkInterface nic = java.net.NetworkInterface.getByInetAddress(address);
            assertEquals(choice.get().interfaceName(), nic.getName());
            assertTrue(nic.isUp() && !nic.isLoopback(), nic.toString());
            // reachable here: a socket bound to all interfaces accepts a connection made to it
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress((InetAddress) null, 0));
                try (Socket client = new Socket()) {
                    client.connect(new InetSocketAddress(address, server.getLocalPort()), 2000);
                }
            }
        }
    }

    private static ServiceRuntime runtime(Map<String, String> server) {
        Map<String, String> config = new java.util.HashMap<>(server);
        config.put("server.port", "0");
        config.put("shutdown.grace-period", "PT0S");
        return ServiceRuntime.builder().discoverExtensions(false)
                .addService(new Service("where-service", "1.0.0") {
                    @Override
                    protected void routes(HttpRules rules, ServiceContext context) {
                        rules.get("/where", (req, res) -> res.send("here"));
                    }
                }, config)
                .build();
    }
}
