// Lighting and weather of one frame (see the stream table at the top of FrameSampler.swift).

extension SceneDescription {
    func sampleLighting(seed: UInt64, layout: Int, frameIndex: Int) -> Lighting {
        var rng = Xoshiro256StarStar(key: [seed, StreamPurpose.lighting.rawValue, UInt64(layout)])
        let l = lighting
        var result: Lighting
        if let clock = l.timeOfDay {
            let hours = rng.sample(clock.hours), latitude = rng.sample(clock.latitudeDeg)
            let day = rng.sample(clock.dayOfYear)
            let sun = rng.sample(l.sunIntensity), ambient = rng.sample(l.ambientIntensity)
            let direction = SolarPosition.direction(latitudeDeg: latitude, dayOfYear: day, solarHours: hours)
            let elevation = asin(Swift.max(-1, Swift.min(1, direction.z))) * 180 / .pi
            let sky = DaylightModel.skyBrightness(elevationDeg: elevation)
            let warmth = DaylightModel.horizonWarmth(elevationDeg: elevation)
            result = Lighting(
                sunDirection: direction,
                sunColor: l.sunColor.scaled(by: DaylightModel.sunTransmittance(elevationDeg: elevation)) * sun,
                skyColor: l.skyColor * (ambient * sky), groundColor: l.groundColor * (ambient * sky),
                backgroundColor: mix(l.backgroundColor, DaylightModel.sunsetGlow, warmth) * sky, shadows: l.shadows)
            result.exposure = WeatherLighting.autoExposure(result)
        } else {
            let azimuth = radians(rng.sample(l.sunAzimuthDeg)), elevation = radians(rng.sample(l.sunElevationDeg))
            let sun = rng.sample(l.sunIntensity), ambient = rng.sample(l.ambientIntensity)
            let direction = Vec3(cos(elevation) * cos(azimuth), cos(elevation) * sin(azimuth), sin(elevation))
            result = Lighting(
                sunDirection: direction, sunColor: l.sunColor * sun, skyColor: l.skyColor * ambient,
                groundColor: l.groundColor * ambient, backgroundColor: l.backgroundColor, shadows: l.shadows)
        }
        guard let w = weather else { return result }
        return WeatherLighting.apply(sampleWeather(w, seed: seed, layout: layout, frameIndex: frameIndex), to: result)
    }

    /// The weather of a frame, from its own stream: the condition (drawn, or the sweep's entry),
    /// then cloud cover and the fog's values, drawn whatever the condition so that every condition
    /// of a sweep sees the same numbers.
    func sampleWeather(_ w: WeatherDescription, seed: UInt64, layout: Int, frameIndex: Int) -> WeatherState {
        var rng = Xoshiro256StarStar(key: [seed, StreamPurpose.weather.rawValue, UInt64(layout)])
        let u = rng.unit()
        let condition: WeatherCondition
        switch w.selection {
        case .sweep(let list):
            condition = list[frameIndex % list.count]
        case .weighted(let list):
            let total = list.reduce(0) { $0 + $1.weight }
            var remaining = u * total
            var chosen = list.last { $0.weight > 0 }?.condition ?? list[0].condition
            for entry in list where entry.weight > 0 {
                if remaining < entry.weight {
                    chosen = entry.condition
                    break
                }
                remaining -= entry.weight
            }
            condition = chosen
        }
        let cloudCover = rng.sample(w.cloudCover ?? .fixed(WeatherDescription.defaultCloudCover(condition)))
        let density = rng.sample(w.fogDensity), falloff = rng.sample(w.fogHeightFalloff)
        let fog = condition == .fog ? FogState(density: density, heightFalloff: falloff, color: .zero) : nil
        var state = WeatherState(condition: condition, cloudCover: cloudCover, fog: fog)
        applyPrecipitation(w.precipitation, to: &state, rng: &rng, frameIndex: frameIndex)
        return state
    }

    /// Rain, snow, wet roads and puddles, drawn after the values above (so they keep their numbers)
    /// and whatever the condition (so every condition of a sweep sees the same ones). The particle
    /// seed also takes the frame index (the view's, under a sweep): the streaks of consecutive frames
    /// differ, and every variant of a view shows the same ones.
    func applyPrecipitation(
        _ p: PrecipitationDescription, to state: inout WeatherState, rng: inout Xoshiro256StarStar, frameIndex: Int
    ) {
        let rain = rng.sample(p.rainIntensity), snow = rng.sample(p.snowIntensity)
        let wetDraw = rng.unit(), puddleDraw = rng.unit()
        let particleSeed = UInt32(truncatingIfNeeded: SplitMix64.mix(rng.next() &+ UInt64(frameIndex)))
        let snowCover = p.snowCover.map { rng.sample($0) } ?? (0.4 + 0.6 * snow)
        var wetness: Double?
        switch state.condition {
        case .rain:
            state.precipitation = Precipitation(kind: .rain, intensity: rain, particleSeed: particleSeed)
            state.fog = FogState(
                density: PrecipitationModel.rainDensity(rain), heightFalloff: PrecipitationModel.heightFalloff,
                color: .zero)
            wetness = 0.5 + 0.5 * rain
        case .snow:
            state.precipitation = Precipitation(kind: .snow, intensity: snow, particleSeed: particleSeed)
            state.fog = FogState(
                density: PrecipitationModel.snowDensity(snow), heightFalloff: PrecipitationModel.heightFalloff,
                color: .zero)
            state.snowCover = snowCover
        case .clear, .overcast, .fog, .night:
            break
        }
        if wetness == nil, wetDraw < p.wetRoad ?? 0 { wetness = PrecipitationModel.wetRoadWetness }
        guard let wetness else { return }
        state.wetness = wetness
        if puddleDraw < p.puddles {
            state.puddles = state.condition == .rain ? 0.03 + 0.15 * rain : PrecipitationModel.wetRoadPuddles
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
