/// The OpenAPI 3.1 description of the review pages' JSON API and the map's data, served at `/api/v1/openapi.yaml`
/// (the Open311 GeoReport v2 API is described by its own standard). Tests check that every path in it is routed.
enum OpenAPIDocument {
    static let yaml = """
    openapi: 3.1.0
    info:
      title: Pavewatch review API
      version: "1"
      description: >
        Defects (tickets) found in survey imagery, for other city systems. The same sessions and roles as the review
        pages: log in at /login (form POST) and send the pw_session cookie; state changes also need the session's CSRF
        token in the X-CSRF-Token header (the list page carries it in data-csrf). Errors are {"error": "..."}.
    components:
      securitySchemes:
        session:
          type: apiKey
          in: cookie
          name: pw_session
      schemas:
        Error:
          type: object
          properties: {error: {type: string}}
          required: [error]
        Ticket:
          type: object
          properties:
            id: {type: integer}
            class: {type: string, enum: [crack, leak]}
            subtype: {type: [string, "null"]}
            status: {type: string, enum: [new, confirmed, rejected, dispatched, fixed, reopened, verified]}
            severity: {type: string, enum: [low, medium, high, unknown]}
            priority: {type: number}
            latitude: {type: [number, "null"]}
            longitude: {type: [number, "null"]}
            rank: {type: integer, description: position by priority among the selection (list only)}
    security:
      - session: []
    paths:
      /api/v1/tickets:
        get:
          summary: A page of the ranked defect list
          parameters:
            - {name: class, in: query, schema: {type: string, enum: [crack, leak]}}
            - {name: severity, in: query, schema: {type: string}}
            - {name: status, in: query, schema: {type: string}}
            - {name: survey, in: query, schema: {type: integer}}
            - {name: south, in: query, schema: {type: number}}
            - {name: west, in: query, schema: {type: number}}
            - {name: north, in: query, schema: {type: number}}
            - {name: east, in: query, schema: {type: number}}
            - {name: sort, in: query, schema: {type: string, enum: [rank, class, severity, size, sightings, status, lastSeen]}}
            - {name: dir, in: query, schema: {type: string, enum: [desc]}}
            - {name: page, in: query, schema: {type: integer, minimum: 1}}
          responses:
            "200":
              description: The page
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      tickets: {type: array, items: {$ref: "#/components/schemas/Ticket"}}
                      total: {type: integer}
                      page: {type: integer}
                      pages: {type: integer}
            "401": {description: Not logged in, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
      /api/v1/tickets/{id}:
        get:
          summary: One defect with its sightings (crop and frame links) and its history
          parameters:
            - {name: id, in: path, required: true, schema: {type: integer}}
          responses:
            "200": {description: The defect, content: {application/json: {schema: {type: object}}}}
            "404": {description: No such defect, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
      /api/v1/tickets/{id}/status:
        post:
          summary: Move a defect through its life cycle (reviewer role, X-CSRF-Token)
          parameters:
            - {name: id, in: path, required: true, schema: {type: integer}}
            - {name: X-CSRF-Token, in: header, required: true, schema: {type: string}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    status: {type: string, enum: [confirmed, rejected, dispatched, fixed, reopened, verified]}
                    note: {type: string, maxLength: 2000}
                  required: [status]
          responses:
            "200":
              description: The new status and the moves allowed from it
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id: {type: integer}
                      status: {type: string}
                      allowedNext: {type: array, items: {type: string}}
            "401": {description: Not logged in}
            "403": {description: "Role too low, or missing / wrong X-CSRF-Token"}
            "404": {description: No such defect}
            "409": {description: A move the life cycle does not allow}
            "415": {description: Not application/json}
      /map.geojson:
        get:
          summary: The map's data (GeoJSON, RFC 7946) for the list's filters
          responses:
            "200": {description: "Defects (points), frame footprints (polygons) and the survey track", content: {application/geo+json: {schema: {type: object}}}}
      /tickets/{id}/thumb.png:
        get:
          summary: Overlay crop of a defect's most confident sighting
          parameters:
            - {name: id, in: path, required: true, schema: {type: integer}}
          responses:
            "200": {description: PNG, content: {image/png: {}}}
      /frames/{id}/image.jpg:
        get:
          summary: A stored frame, its long side at most 2,048 px
          parameters:
            - {name: id, in: path, required: true, schema: {type: integer}}
          responses:
            "200": {description: JPEG, content: {image/jpeg: {}}}
    """
}
