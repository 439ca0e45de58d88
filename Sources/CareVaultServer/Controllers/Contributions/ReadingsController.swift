import CareVaultCore
import CareVaultStore
import Foundation
import Hummingbird

/// Home readings: an overview of every measure, one page per measure (chart with guideline bands and
/// the clinic's readings, a form to add one, the table), each reading stored as a vital-signs
/// Observation. Readings outside the attention range go to the care team's review queue.
struct ReadingsController: Sendable {
    let env: AppEnvironment

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(context: SignedInRequestContext.self)
        group.get("/patients/:patient/readings", use: overview)
        group.get("/patients/:patient/readings/:measure", use: measurePage)
        group.post("/patients/:patient/readings/:measure", use: add)
    }

    @Sendable func overview(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let record = try await open(context, .readRecord, "readings")
        let patient = record.patient
        let loader = ReadingsLoader()
        var measures: [ReadingsPage.Measure] = []
        var shown: [(type: String, id: String)] = []
        for measure in ReadingMeasure.allCases {
            let latest = try await loader.load(record, measure: measure, limit: 1).first
            if let latest { shown.append(("Observation", latest.resource.id)) }
            measures.append(.init(title: measure.title, latest: latest?.point.display, latestDate: latest.map { PlainDate.dayAndTime($0.point.effective) },
                                  link: Paths.readings(patient.id.description, measure), attention: measure.attentionText))
        }
        record.shown(shown)
        let id = patient.id.description
        return env.renderer.response(ReadingsPage(
            layout: context.layout(record.isOwn ? "Your readings" : "Readings – \(patient.fullName)", request: request),
            patientName: patient.fullName, measures: measures, importLink: Paths.readingsImport(id), csvLink: Paths.readingsCSV(id),
            backLink: Paths.patientHome(id)))
    }

    @Sendable func measurePage(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let measure = try context.parameters.readingMeasure()
        let record = try await open(context, .readRecord, measure.rawValue)
        return env.renderer.response(try await page(request, context, record: record, measure: measure, form: nil, failure: nil))
    }

    @Sendable func add(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        var request = request
        let measure = try context.parameters.readingMeasure()
        let record = try await open(context, .contributeToRecord, measure.rawValue)
        let patient = record.patient
        let form = try await request.form()
        let input = ReadingInput(measure: measure, value: form.value("value"), diastolic: form.value("diastolic"), unit: form.value("unit"),
                                 date: form.value("date"), time: form.value("time"), context: form.value("context"))
        switch input.check(now: Date(), timeZone: env.configuration.timeZone) {
        case .failure(let failure):
            return env.renderer.response(try await page(request, context, record: record, measure: measure, form: form, failure: failure),
                                         status: .badRequest)
        case .success(let reading):
            let reason = reading.attentionReason
            try await ContributionService(env: env).record([ContributionService.reading(reading, in: record, account: context.account)],
                                                           in: record, by: context.account, info: context.info,
                                                           action: .readingsRecorded, activity: "Home reading entered")
            throw Redirect.to(Paths.readings(patient.id.description, measure) + "?notice=" + (reason == nil ? "reading-saved" : "reading-sent-for-review"))
        }
    }

    private func open(_ context: SignedInRequestContext, _ action: Action, _ what: String) async throws -> PatientRecord {
        try await env.records.open(try context.parameters.require("patient"), for: action, context: context,
                                   target: ResourceRef(type: "Observation", id: "readings:\(what)"))
    }

    private func page(_ request: Request, _ context: SignedInRequestContext, record: PatientRecord, measure: ReadingMeasure,
                      form: FormData?, failure: ValidationFailure?) async throws -> ReadingMeasurePage {
        let patient = record.patient
        let found = try await ReadingsLoader().load(record, measure: measure)
        record.shown(found.map(\.resource))
        let own = record.isOwn
        let chart = found.isEmpty ? nil : Self.chart(measure, found, toPatient: own)
        let id = patient.id.description
        var fields: [FormField] = [], selects: [SelectField] = []
        let value = { (name: String) in form?.value(name) ?? "" }
        if measure == .bloodPressure {
            fields.append(FormField(name: "value", label: "Top number (systolic)", value: value("value"), hint: "for example 128",
                                    error: failure?.error("value"), inputmode: "numeric"))
            fields.append(FormField(name: "diastolic", label: "Bottom number (diastolic)", value: value("diastolic"), hint: "for example 82",
                                    error: failure?.error("diastolic"), inputmode: "numeric"))
        } else {
            fields.append(FormField(name: "value", label: measure.title, value: value("value"), error: failure?.error("value"), inputmode: "decimal"))
        }
        if measure.units.count > 1 {
            let chosen = form?.value("unit") ?? measure.units[0].display
            selects.append(SelectField(name: "unit", label: "Unit", options: measure.units.map {
                .init(value: $0.display, text: $0.display, selected: $0.display == chosen)
            }, error: failure?.error("unit")))
        }
        let chosenContext = form?.value("context") ?? ""
        if measure == .bloodPressure {
            selects.append(SelectField(name: "context", label: "How were you positioned?", options: [.init(value: "", text: "Not noted", selected: chosenContext.isEmpty)]
                + BodyPosition.allCases.map { .init(value: $0.rawValue, text: $0.title, selected: $0.rawValue == chosenContext) }, error: failure?.error("context")))
        } else if measure == .glucose {
            selects.append(SelectField(name: "context", label: "When did you measure?", options: [.init(value: "", text: "Not noted", selected: chosenContext.isEmpty)]
                + GlucoseTiming.allCases.map { .init(value: $0.rawValue, text: $0.title, selected: $0.rawValue == chosenContext) }, error: failure?.error("context")))
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = env.configuration.timeZone
        let today = calendar.dateComponents([.year, .month, .day], from: Date())
        let todayText = String(format: "%04d-%02d-%02d", today.year!, today.month!, today.day!)
        fields.append(FormField(name: "date", label: "Date", type: "date", value: form?.value("date") ?? todayText, error: failure?.error("date")))
        fields.append(FormField(name: "time", label: "Time (optional)", type: "time", value: value("time"), hint: "24-hour clock, for example 07:30",
                                error: failure?.error("time"), required: false))
        return ReadingMeasurePage(
            layout: context.layout(own ? "Your \(measure.title.lowercased())" : "\(measure.title) – \(patient.fullName)", request: request),
            patientName: patient.fullName, title: measure.title, errorSummary: ErrorSummary(failure),
            action: Paths.readings(id, measure), fields: fields, selects: selects, chartSVG: chart?.svg(),
            bands: measure.bands.map(\.label), hasBands: !measure.bands.isEmpty, attention: measure.attentionText,
            rows: found.map { f in
                ReadingMeasurePage.Row(
                    date: PlainDate.dayAndTime(f.point.effective), value: f.point.display, context: f.point.context ?? "",
                    from: f.origin.text(toPatient: own),
                    status: f.review?.status.title ?? "", comment: f.review?.status == .returned ? f.review?.comment : nil,
                    needsAttention: f.review?.queued ?? false,
                    removeLink: own && f.origin.isPatientProvided && f.review?.status != .accepted ? Paths.removeReading(id, measure, f.resource.id) : nil)
            },
            isEmpty: found.isEmpty, csvLink: Paths.readingsCSV(id), backLink: Paths.readings(id))
    }

    /// The chart of a measure: the patient's readings as circles, the clinic's as squares.
    static func chart(_ measure: ReadingMeasure, _ found: [ReadingsLoader.Found], toPatient: Bool) -> TrendChart {
        func point(_ f: ReadingsLoader.Found, _ value: Double) -> TrendChart.Point {
            TrendChart.Point(time: f.point.time, value: value, marker: f.origin.isPatientProvided ? .circle : .square,
                             flagged: f.review?.queued ?? false, day: PlainDate.day(f.point.effective))
        }
        let unit = measure.units[0].display
        let bands = measure.bands.map { TrendChart.Band(label: $0.label, low: $0.low, high: $0.high, tone: $0.tone) }
        let names = (circle: toPatient ? "your readings" : "the patient's readings", square: "readings from the clinic")
        if measure == .bloodPressure {
            return TrendChart(title: "\(measure.title) over time", unit: unit, series: [
                .init(name: "Top number", points: found.map { point($0, $0.point.value) }),
                .init(name: "Bottom number", points: found.compactMap { f in f.point.diastolic.map { point(f, $0) } }),
            ], bands: bands, markerNames: names)
        }
        return TrendChart(title: "\(measure.title) over time", unit: unit, series: [.init(name: measure.title, points: found.map { point($0, $0.point.value) })],
                          bands: bands, markerNames: names)
    }
}
