package dev.gantry.reliability.fuzzing;

import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.gantry.reliability.harness.SqsSendMessageAnswer;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A loopback SQS that takes every SendMessage the Slack acknowledgement path makes, answers with the digests real SQS
 * computes (the sender refuses a send whose digests do not match), and keeps the bodies it took for the worker.
 */
final class LoopbackSqs implements AutoCloseable {

    static final String QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-chatops-requests";

    private final ConcurrentLinkedQueue<String> taken = new ConcurrentLinkedQueue<>();
    private final WireMockServer server;

    LoopbackSqs() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").disableRequestJournal()
                .extensions(new SqsSendMessageAnswer(taken::add)));
        server.start();
        server.stubFor(post(anyUrl()).willReturn(SqsSendMessageAnswer.answer()));
    }

    URI endpoint() {
        return URI.create(server.baseUrl());
    }

    /** The message bodies taken since the last call, in order. */
    List<String> drain() {
        List<String> drained = List.copyOf(taken);
        taken.removeAll(drained);
        return drained;
    }

    @Override
    public void close() {
        server.stop();
    }
}
