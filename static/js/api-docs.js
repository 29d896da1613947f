// Starts Swagger UI on the API documentation page (/api/docs/). Kept in a file, not inline,
// because the Content-Security-Policy allows scripts from 'self' only.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: node.dataset.schemaUrl,
    domNode: node,
    deepLinking: true,
    // The schema is fetched with the session cookie; the API calls themselves need a token.
    persistAuthorization: false,
    displayRequestDuration: true,
    // Validation would send the schema to swagger.io: keep everything on this server.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
