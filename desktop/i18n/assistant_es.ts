<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
<context>
    <name>AssistantPanel</name>
    <message>
        <location filename="../panel.py" line="177"/>
        <location filename="../panel.py" line="419"/>
        <source>Loading model…</source>
        <translation>Cargando modelo…</translation>
    </message>
    <message>
        <location filename="../panel.py" line="377"/>
        <source>Ask something, e.g. “what are your opening hours?”</source>
        <translation>Pregunta algo, p. ej. «¿a qué hora abrís?»</translation>
    </message>
    <message>
        <location filename="../panel.py" line="378"/>
        <source>Request</source>
        <translation>Petición</translation>
    </message>
    <message>
        <location filename="../panel.py" line="379"/>
        <source>A&amp;sk</source>
        <translation>&amp;Preguntar</translation>
    </message>
    <message>
        <location filename="../panel.py" line="380"/>
        <source>Ask the assistant</source>
        <translation>Preguntar al asistente</translation>
    </message>
    <message>
        <location filename="../panel.py" line="386"/>
        <source>Not what I meant</source>
        <translation>No era eso</translation>
    </message>
    <message>
        <location filename="../panel.py" line="387"/>
        <source>Correct the intent</source>
        <translation>Corregir la intención</translation>
    </message>
    <message>
        <location filename="../panel.py" line="391"/>
        <source>None of these</source>
        <translation>Ninguna de estas</translation>
    </message>
    <message>
        <location filename="../panel.py" line="392"/>
        <source>None of these intents</source>
        <translation>Ninguna de estas intenciones</translation>
    </message>
    <message>
        <location filename="../panel.py" line="393"/>
        <source>Edit profile…</source>
        <translation>Editar perfil…</translation>
    </message>
    <message>
        <location filename="../panel.py" line="395"/>
        <source>History</source>
        <translation>Historial</translation>
    </message>
    <message>
        <location filename="../panel.py" line="421"/>
        <source>Ready · {device}</source>
        <translation>Listo · {device}</translation>
    </message>
    <message>
        <location filename="../panel.py" line="420"/>
        <source>Loading model… your request will run as soon as it is ready</source>
        <translation>Cargando modelo… tu petición se atenderá en cuanto esté listo</translation>
    </message>
    <message>
        <location filename="../panel.py" line="381"/>
        <source>Enter ask · ↑/↓ earlier requests · Tab answer · Esc clear · Ctrl+, settings · Ctrl+Q quit</source>
        <translation>Intro pregunta · ↑/↓ peticiones anteriores · Tab respuesta · Esc borra · Ctrl+, ajustes · Ctrl+Q salir</translation>
    </message>
    <message>
        <location filename="../panel.py" line="383"/>
        <source>Tab moves to the answer: there ↑/↓ walk the choices and links, Enter runs the one marked and Esc goes back to the input.</source>
        <translation>Tab lleva a la respuesta: allí ↑/↓ recorren las opciones y los enlaces, Intro ejecuta el marcado y Esc vuelve a la entrada.</translation>
    </message>
    <message>
        <location filename="../panel.py" line="385"/>
        <source>Details</source>
        <translation>Detalles</translation>
    </message>
    <message>
        <location filename="../panel.py" line="388"/>
        <source>Undo</source>
        <translation>Deshacer</translation>
    </message>
    <message>
        <location filename="../panel.py" line="394"/>
        <source>Earlier requests (Enter or double-click asks again)</source>
        <translation>Peticiones anteriores (Intro o doble clic la repite)</translation>
    </message>
    <message>
        <location filename="../panel.py" line="422"/>
        <source>Copied to the clipboard</source>
        <translation>Copiado al portapapeles</translation>
    </message>
    <message>
        <location filename="../panel.py" line="423"/>
        <source>Forgot {count} learned request(s)</source>
        <translation>He olvidado {count} petición(es) aprendida(s)</translation>
    </message>
    <message>
        <location filename="../panel.py" line="424"/>
        <source>History cleared</source>
        <translation>Historial borrado</translation>
    </message>
    <message>
        <location filename="../panel.py" line="425"/>
        <source>Your request was long ({words} words): I read its first and last {keep} words</source>
        <translation>Tu petición era larga ({words} palabras): he leído sus primeras y últimas {keep} palabras</translation>
    </message>
    <message>
        <location filename="../panel.py" line="426"/>
        <source>No program here opens “{scheme}” links; the value was copied instead</source>
        <translation>Ningún programa de este equipo abre enlaces «{scheme}»; he copiado el valor en su lugar</translation>
    </message>
    <message>
        <location filename="../panel.py" line="484"/>
        <source>→ not sure: I will ask</source>
        <translation>→ no estoy seguro: preguntaré</translation>
    </message>
    <message>
        <location filename="../panel.py" line="486"/>
        <source>→ I can&apos;t help with that</source>
        <translation>→ no puedo ayudarte con eso</translation>
    </message>
    <message>
        <location filename="../panel.py" line="488"/>
        <source>→ {intent} · {band} {percent} · Enter runs it</source>
        <translation>→ {intent} · {band} {percent} · Intro lo ejecuta</translation>
    </message>
    <message>
        <location filename="../panel.py" line="515"/>
        <source>Sorry, I did not understand. Could you rephrase it?</source>
        <translation>Perdona, no te he entendido. ¿Puedes decirlo de otra forma?</translation>
    </message>
    <message>
        <location filename="../panel.py" line="540"/>
        <source>Got it, I&apos;ll remember that “{text}” means {intent}.</source>
        <translation>Entendido: recordaré que «{text}» es {intent}.</translation>
    </message>
    <message>
        <location filename="../panel.py" line="542"/>
        <source>Got it (history is off, so nothing is remembered).</source>
        <translation>Entendido (el historial está desactivado, así que no recuerdo nada).</translation>
    </message>
    <message>
        <location filename="../panel.py" line="564"/>
        <source>Undone: I forgot that.</source>
        <translation>Deshecho: lo he olvidado.</translation>
    </message>
    <message>
        <location filename="../panel.py" line="640"/>
        <source>sure</source>
        <translation>seguro</translation>
    </message>
    <message>
        <location filename="../panel.py" line="640"/>
        <source>probably</source>
        <translation>probablemente</translation>
    </message>
    <message>
        <location filename="../panel.py" line="390"/>
        <location filename="../panel.py" line="640"/>
        <source>not sure</source>
        <translation>no estoy seguro</translation>
    </message>
    <message>
        <location filename="../panel.py" line="641"/>
        <source>learned from you on {date}</source>
        <translation>aprendido de ti el {date}</translation>
    </message>
    <message>
        <location filename="../panel.py" line="738"/>
        <source>no action</source>
        <translation>sin acción</translation>
    </message>
    <message>
        <location filename="../panel.py" line="389"/>
        <source>I&apos;m not sure what you mean. Did you mean…?</source>
        <translation>No estoy seguro de qué quieres decir. ¿Quisiste decir…?</translation>
    </message>
    <message>
        <location filename="../panel.py" line="642"/>
        <source>your choice</source>
        <translation>tu elección</translation>
    </message>
    <message>
        <location filename="../panel.py" line="655"/>
        <source>Alternatives: {alternatives}</source>
        <translation>Alternativas: {alternatives}</translation>
    </message>
    <message>
        <location filename="../panel.py" line="656"/>
        <source>Answered in {ms:.0f} ms</source>
        <translation>Respondido en {ms:.0f} ms</translation>
    </message>
    <message>
        <location filename="../panel.py" line="693"/>
        <source>Copy</source>
        <translation>Copiar</translation>
    </message>
    <message>
        <location filename="../panel.py" line="694"/>
        <source>Call</source>
        <translation>Llamar</translation>
    </message>
    <message>
        <location filename="../panel.py" line="694"/>
        <source>Write</source>
        <translation>Escribir</translation>
    </message>
    <message>
        <location filename="../panel.py" line="694"/>
        <source>Map</source>
        <translation>Mapa</translation>
    </message>
    <message>
        <location filename="../panel.py" line="694"/>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <location filename="../panel.py" line="695"/>
        <source>Today</source>
        <translation>Hoy</translation>
    </message>
    <message>
        <location filename="../panel.py" line="725"/>
        <source>What can I do for you? Click an example or type your own request.</source>
        <translation>¿En qué puedo ayudarte? Pulsa un ejemplo o escribe tu petición.</translation>
    </message>
    <message>
        <location filename="../panel.py" line="421"/>
        <source>No model loaded</source>
        <translation>No hay ningún modelo cargado</translation>
    </message>
    <message>
        <location filename="../panel.py" line="693"/>
        <source>Open now</source>
        <translation>Abierto ahora</translation>
    </message>
    <message>
        <location filename="../panel.py" line="693"/>
        <source>Closed now</source>
        <translation>Cerrado ahora</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../dialogs.py" line="37"/>
        <source>The model could not be loaded</source>
        <translation>No se pudo cargar el modelo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="39"/>
        <source>Device not available</source>
        <translation>Dispositivo no disponible</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="41"/>
        <source>The engine stopped</source>
        <translation>El motor se ha detenido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="43"/>
        <source>Invalid setting</source>
        <translation>Ajuste no válido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="45"/>
        <source>Local data</source>
        <translation>Datos locales</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="46"/>
        <source>Something went wrong</source>
        <translation>Algo ha fallado</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="53"/>
        <source>The model bundle could not be used. The model in use (if any) keeps answering; choose another bundle in Settings.</source>
        <translation>No se pudo usar el paquete del modelo. El modelo en uso (si lo hay) sigue respondiendo; elige otro paquete en Ajustes.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="56"/>
        <source>That device is not available here, so that model was not loaded. The model in use (if any) keeps answering; choose Automatic or CPU in Settings.</source>
        <translation>Ese dispositivo no está disponible aquí, así que ese modelo no se ha cargado. El modelo en uso (si lo hay) sigue respondiendo; elige Automático o CPU en Ajustes.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="60"/>
        <source>The engine stopped or did not answer in time. Ask again; if it happens again, restart the assistant.</source>
        <translation>El motor se detuvo o no respondió a tiempo. Vuelve a preguntar; si se repite, reinicia el asistente.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="63"/>
        <source>A setting has a value that cannot be used.</source>
        <translation>Un ajuste tiene un valor que no se puede usar.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="65"/>
        <source>Your local data could not be read or saved. Answers still work; check the free space and the data folder&apos;s permissions.</source>
        <translation>No se pudieron leer o guardar tus datos locales. Las respuestas siguen funcionando; comprueba el espacio libre y los permisos de la carpeta de datos.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="67"/>
        <source>The assistant keeps running; the details say what happened.</source>
        <translation>El asistente sigue funcionando; los detalles explican qué pasó.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../window.py" line="140"/>
        <location filename="../window.py" line="142"/>
        <source>Offline assistant</source>
        <translation>Asistente sin conexión</translation>
    </message>
    <message>
        <location filename="../window.py" line="143"/>
        <source>Show or hide the window</source>
        <translation>Mostrar u ocultar la ventana</translation>
    </message>
    <message>
        <location filename="../window.py" line="144"/>
        <source>&amp;Assistant</source>
        <translation>&amp;Asistente</translation>
    </message>
    <message>
        <location filename="../window.py" line="145"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Ajustes…</translation>
    </message>
    <message>
        <location filename="../window.py" line="146"/>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <location filename="../window.py" line="224"/>
        <source>Loading model…</source>
        <translation>Cargando modelo…</translation>
    </message>
    <message>
        <location filename="../window.py" line="243"/>
        <source>A new model was found in the model folder; checking it…</source>
        <translation>Hay un modelo nuevo en la carpeta del modelo; comprobándolo…</translation>
    </message>
    <message>
        <location filename="../window.py" line="270"/>
        <source>show my profile</source>
        <translation>muéstrame mi perfil</translation>
    </message>
</context>
<context>
    <name>ProfileDialog</name>
    <message>
        <location filename="../dialogs.py" line="382"/>
        <source>The email should look like name@example.org.</source>
        <translation>El correo debe tener la forma nombre@ejemplo.org.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="383"/>
        <source>The phone number should have at least 7 digits.</source>
        <translation>El teléfono debe tener al menos 7 cifras.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="359"/>
        <source>Edit profile</source>
        <translation>Editar perfil</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../dialogs.py" line="105"/>
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="117"/>
        <source>Clarification threshold</source>
        <translation>Umbral de aclaración</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="123"/>
        <source>The bundle&apos;s calibrated value is {value}%.</source>
        <translation>El valor calibrado del paquete es {value}%.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="125"/>
        <source>The slider stops at {top}%: above it, requests for “{intent}” would nearly always ask.</source>
        <translation>El control llega hasta {top}%: por encima, las peticiones de «{intent}» casi siempre preguntarían.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="129"/>
        <source>Use the bundle&apos;s value</source>
        <translation>Usar el valor del paquete</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="133"/>
        <source>Automatic</source>
        <translation>Automático</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="133"/>
        <source>GPU (CUDA)</source>
        <translation>GPU (CUDA)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="138"/>
        <source>System</source>
        <translation>Sistema</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="142"/>
        <source>Like the system</source>
        <translation>Como el sistema</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="142"/>
        <source>Light</source>
        <translation>Claro</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="143"/>
        <source>Dark</source>
        <translation>Oscuro</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="146"/>
        <source>Keep a history of requests</source>
        <translation>Guardar un historial de peticiones</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="148"/>
        <source>Clear history</source>
        <translation>Borrar historial</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="150"/>
        <source>Fetch news feeds over the network</source>
        <translation>Descargar fuentes de noticias por la red</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="157"/>
        <source>Serve the local API on 127.0.0.1 (for other programs)</source>
        <translation>Servir la API local en 127.0.0.1 (para otros programas)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="161"/>
        <source>Local API: not part of this build (run from a source install to use it)</source>
        <translation>API local: no incluida en esta versión (úsala desde una instalación del código fuente)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="165"/>
        <location filename="../dialogs.py" line="216"/>
        <source>What I have learned</source>
        <translation>Lo que he aprendido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="170"/>
        <source>“{text}” → {intent} ({date})</source>
        <translation>«{text}» → {intent} ({date})</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="174"/>
        <source>Nothing yet: choices and corrections you make are learned here.</source>
        <translation>Nada todavía: aquí aparecen las elecciones y correcciones que me enseñes.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="177"/>
        <source>Remove</source>
        <translation>Quitar</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="179"/>
        <source>Clear all</source>
        <translation>Borrar todo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="183"/>
        <location filename="../dialogs.py" line="341"/>
        <source>Bundled model</source>
        <translation>Modelo incluido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="184"/>
        <source>Load another model bundle…</source>
        <translation>Cargar otro paquete de modelo…</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="186"/>
        <source>Use the bundled model</source>
        <translation>Usar el modelo incluido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="193"/>
        <source>Ask to clarify below</source>
        <translation>Pedir aclaración por debajo de</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="195"/>
        <source>Device</source>
        <translation>Dispositivo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="196"/>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="197"/>
        <source>Appearance</source>
        <translation>Apariencia</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="203"/>
        <location filename="../dialogs.py" line="238"/>
        <source>News feeds</source>
        <translation>Fuentes de noticias</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="212"/>
        <source>Suggested</source>
        <translation>Sugeridas</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="215"/>
        <source>Global shortcut</source>
        <translation>Atajo global</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="224"/>
        <source>Model</source>
        <translation>Modelo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="243"/>
        <source>Feed address</source>
        <translation>Dirección de la fuente</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="245"/>
        <source>Add feed</source>
        <translation>Añadir fuente</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="247"/>
        <source>Remove feed</source>
        <translation>Quitar fuente</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="250"/>
        <source>Suggested feeds</source>
        <translation>Fuentes sugeridas</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="254"/>
        <source>Add suggested feed</source>
        <translation>Añadir la sugerida</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="273"/>
        <source>Type a feed address (at most 2000 characters).</source>
        <translation>Escribe la dirección de una fuente (como mucho 2000 caracteres).</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="274"/>
        <source>A feed address cannot contain spaces.</source>
        <translation>La dirección de una fuente no puede contener espacios.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="275"/>
        <source>Only http:// and https:// addresses can be news feeds.</source>
        <translation>Solo las direcciones http:// y https:// pueden ser fuentes de noticias.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="276"/>
        <source>The address needs a host name, as in https://example.org/rss.xml.</source>
        <translation>La dirección necesita un nombre de servidor, como en https://example.org/rss.xml.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="282"/>
        <source>That feed is already in the list.</source>
        <translation>Esa fuente ya está en la lista.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="284"/>
        <source>At most {count} feeds: remove one first.</source>
        <translation>Como mucho {count} fuentes: quita una primero.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="288"/>
        <source>Added. News reads it once fetching over the network is on.</source>
        <translation>Añadida. Las noticias la leerán cuando actives la descarga por la red.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="289"/>
        <source>Added.</source>
        <translation>Añadida.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="313"/>
        <source>History is cleared on OK</source>
        <translation>El historial se borra al pulsar Aceptar</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="321"/>
        <source>{value} (bundle)</source>
        <translation>{value} (paquete)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="334"/>
        <source>Choose a model bundle folder</source>
        <translation>Elige la carpeta de un paquete de modelo</translation>
    </message>
</context>
<context>
    <name>Shortcut</name>
    <message>
        <location filename="../dialogs.py" line="87"/>
        <source>Wayland does not let an application set a global shortcut.</source>
        <translation>Wayland no permite que una aplicación defina un atajo global.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="89"/>
        <source>This build cannot set a global shortcut itself.</source>
        <translation>Esta versión no puede definir un atajo global por sí misma.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="90"/>
        <source>To summon the assistant with a key (for example Ctrl+Alt+Space), bind the command offline-assistant to it in your desktop&apos;s settings: GNOME: Settings → Keyboard → View and Customise Shortcuts → Custom Shortcuts; KDE: System Settings → Shortcuts → Add Command. Starting it again brings the open window forward; Esc on an empty input hides it.</source>
        <translation>Para llamar al asistente con una tecla (por ejemplo Ctrl+Alt+Espacio), asigna la orden offline-assistant a esa tecla en la configuración de tu escritorio: GNOME: Configuración → Teclado → Ver y personalizar atajos → Atajos personalizados; KDE: Preferencias del sistema → Atajos → Añadir orden. Al iniciarlo de nuevo, la ventana abierta pasa al frente; Esc con la entrada vacía la oculta.</translation>
    </message>
</context>
</TS>
