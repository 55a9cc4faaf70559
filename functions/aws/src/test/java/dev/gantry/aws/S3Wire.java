package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.List;

/** S3's REST protocol on a WireMock server, path-style: {@code GET /<bucket>/<key>}. */
public final class S3Wire {

    private S3Wire() {}

    public static MappingBuilder getObject(String bucket, String key) {
        return get(urlPathEqualTo("/" + bucket + "/" + key));
    }

    public static ResponseDefinitionBuilder object(byte[] content) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/zip")
                .withHeader("Content-Length", Integer.toString(content.length)).withBody(content);
    }

    /** An S3 error as the service sends it: an XML body naming the code. */
    public static ResponseDefinitionBuilder error(int status, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/xml")
                .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                        + "</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>");
    }

    public static List<LoggedRequest> gets(WireMockServer server, String bucket, String key) {
        return server.findAll(getRequestedFor(urlPathEqualTo("/" + bucket + "/" + key)));
    }
}
