package dev.flotilla.messaging;

/** The contract on the in-JVM transport: several services share one broker. */
class InJvmMessagingContractTest extends MessagingContractTest {

    private final InJvmBroker broker = new InJvmBroker();

    @Override
    Messaging newMessaging(String serviceName) {
        return Messaging.builder().serviceName(serviceName).inJvm(broker).build();
    }

    @Override
    boolean supportsJetStream() {
        return false;
    }
}
