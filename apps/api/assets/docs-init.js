// Starts Swagger UI on the served OpenAPI document. A file, not an inline script, so that the
// page's Content-Security-Policy can say script-src 'self'.
window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
});
