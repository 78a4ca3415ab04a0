import Hummingbird

/// Answers a request under `/open311` that no route takes (any path, any method) with the GeoReport error list
/// and 404, as `.xml` or JSON by the path's extension, instead of the router's empty 404.
struct Open311NotFoundMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && Self.isAPI(request.uri.path) {
            let r = Open311Routes<Context>.errorResponse(Open311Routes<Context>.format(of: request),
                                                         .init(.notFound, "no such endpoint"))
            return request.method == .head ? r.createHeadResponse() : r
        }
    }

    /// Whether `path` is `/open311` or below it.
    static func isAPI(_ path: String) -> Bool {
        path == "/open311" || path.hasPrefix("/open311/")
    }
}
